import Hummingbird

/// Hummingbird's entry point: every request goes to ``GatewayHandler`` (a catch-all, since routes come from
/// descriptors that change at run time, not from a static router).
struct GatewayResponder: HTTPResponder {
    typealias Context = GatewayRequestContext
    let handler: GatewayHandler

    func respond(to request: Request, context: Context) async throws -> Response {
        await handler.respond(to: request, channel: context.channel)
    }
}
