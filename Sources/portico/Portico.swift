import ArgumentParser
@main struct Portico: ParsableCommand {}
