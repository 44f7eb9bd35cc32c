extension BundledProtoFiles {
    static let googleAPIAnnotations = """
        syntax = "proto3";
        package google.api;

        import "google/api/http.proto";
        import "google/protobuf/descriptor.proto";

        // The HTTP mapping of an RPC method.
        extend google.protobuf.MethodOptions {
          HttpRule http = 72295728;
        }
        """

    static let googleAPIHTTP = """
        syntax = "proto3";
        package google.api;

        // A list of HTTP mapping rules, for service configuration files.
        message Http {
          repeated HttpRule rules = 1;
          bool fully_decode_reserved_expansion = 2;
        }

        // How an RPC method maps to an HTTP method, a URL path template and a body.
        message HttpRule {
          string selector = 1;
          oneof pattern {
            string get = 2;
            string put = 3;
            string post = 4;
            string delete = 5;
            string patch = 6;
            CustomHttpPattern custom = 8;
          }
          string body = 7;
          string response_body = 12;
          repeated HttpRule additional_bindings = 11;
        }

        // An HTTP method other than the five with their own fields.
        message CustomHttpPattern {
          string kind = 1;
          string path = 2;
        }
        """
}
