public import DynamicCodec
/// What the response mapping produces: status, headers, cookies and body. The gateway writes it out.
public struct HTTPResponseParts: Sendable {
    public var status: Int
    public var headers: [HTTPHeader]
    /// Cookies to set; ``setCookieHeaders`` renders them.
    public var cookies: [HTTPCookie]
    public var body: [UInt8]

    public init(status: Int = 200, headers: [HTTPHeader] = [], cookies: [HTTPCookie] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.cookies = cookies
        self.body = body
    }

    /// The first value of a header (case-insensitive name).
    public func header(_ name: String) -> String? { headers.first(named: name) }

    /// `Set-Cookie` headers for ``cookies`` (name=value, no attributes).
    public var setCookieHeaders: [HTTPHeader] { cookies.map { HTTPHeader("Set-Cookie", "\($0.name)=\($0.value)") } }

    static let jsonContentType = HTTPHeader("Content-Type", "application/json")
    /// The headers of a JSON reply, shared rather than built per response.
    public static let jsonHeaders = [jsonContentType]

    /// Whether the headers are exactly ``jsonHeaders`` and nothing else is set but status and body.
    public var hasOnlyJSONContentType: Bool {
        cookies.isEmpty && headers.count == 1 && headers[0].name == "Content-Type"
            && headers[0].value == "application/json"
    }
}
