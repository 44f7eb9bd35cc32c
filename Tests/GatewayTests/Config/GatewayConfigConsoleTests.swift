import Gateway
import Testing

/// The `console:` section: the console off and the document on by default, both switchable, unknown keys refused.
struct GatewayConfigConsoleTests {
    @Test func defaultsAndKeys() throws {
        let defaults = try GatewayConfig(yaml: "listen: 127.0.0.1:0\n")
        #expect(defaults.console == GatewayConfig.Console(enabled: false, openAPI: true))
        let config = try GatewayConfig(yaml: "console: { enabled: true, openapi: false }\n")
        #expect(config.console.enabled && !config.console.openAPI)
    }

    @Test func mistakesNameTheirKey() {
        #expect {
            _ = try GatewayConfig(yaml: "console: { enable: true }\n")
        } throws: { error in
            "\(error)".contains("console.enable") && "\(error)".contains("unknown key")
        }
        #expect {
            _ = try GatewayConfig(yaml: "console: { enabled: maybe }\n")
        } throws: { error in
            "\(error)".contains("console.enabled") && "\(error)".contains("not a boolean")
        }
    }
}
