import Testing
@testable import GenericCall

