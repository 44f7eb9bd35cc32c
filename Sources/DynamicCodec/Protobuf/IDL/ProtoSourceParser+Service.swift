import SwiftProtobuf

extension ProtoSourceParser {
    mutating func parseServiceDefinition(path: [Int32]) throws(CodecError) -> Google_Protobuf_ServiceDescriptorProto {
        result.locations[path] = currentLocation
        noteLeadingComment(path: path)
        try consume("service")
        var service = Google_Protobuf_ServiceDescriptorProto()
        service.name = try consumeIdentifier("Expected service name.")
        try consume("{", "expected \"{\" to open the service body, found \(current.quoted)")
        while !tryConsume("}") {
            if atEnd { throw syntaxError("reached end of input in service definition (missing \"}\")") }
            if tryConsume(";") { continue }
            if lookingAt("option") {
                try parseOptionStatement(path: path)
            } else {
                let methodPath = path + [ProtoSourcePath.serviceMethod, Int32(service.method.count)]
                service.method.append(try parseMethod(path: methodPath))
            }
        }
        return service
    }

    private mutating func parseMethod(path: [Int32]) throws(CodecError) -> Google_Protobuf_MethodDescriptorProto {
        result.locations[path] = currentLocation
        noteLeadingComment(path: path)
        try consume("rpc", "expected \"rpc\", \"option\" or \"}\" in the service body, found \(current.quoted)")
        var method = Google_Protobuf_MethodDescriptorProto()
        method.name = try consumeIdentifier("Expected method name.")
        try consume("(")
        if tryConsume("stream") { method.clientStreaming = true }
        result.locations[path + [ProtoSourcePath.methodInput]] = currentLocation
        method.inputType = try parseUserDefinedType()
        try consume(")")
        try consume("returns", "expected \"returns\", found \(current.quoted)")
        try consume("(")
        if tryConsume("stream") { method.serverStreaming = true }
        result.locations[path + [ProtoSourcePath.methodOutput]] = currentLocation
        method.outputType = try parseUserDefinedType()
        try consume(")")
        if tryConsume("{") {
            // Like protoc, an options block makes the method have options, even an empty one.
            result.options[path, default: []] += []
            while !tryConsume("}") {
                if atEnd { throw syntaxError("reached end of input in method options (missing \"}\")") }
                if tryConsume(";") { continue }
                try parseOptionStatement(path: path)
            }
        } else {
            try consume(";", "expected \";\" or \"{\" after the method, found \(current.quoted)")
            noteTrailingComment(path: path)
        }
        return method
    }
}
