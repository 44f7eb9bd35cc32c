/// Descriptor field numbers used to build element paths, as in `descriptor.proto`.
enum ProtoSourcePath {
    static let fileMessage: Int32 = 4
    static let fileEnum: Int32 = 5
    static let fileService: Int32 = 6
    static let fileExtension: Int32 = 7
    static let messageField: Int32 = 2
    static let messageNested: Int32 = 3
    static let messageEnum: Int32 = 4
    static let messageExtensionRange: Int32 = 5
    static let messageExtension: Int32 = 6
    static let messageOneof: Int32 = 8
    static let messageReservedRange: Int32 = 9
    static let messageReservedName: Int32 = 10
    static let enumValue: Int32 = 2
    static let enumReservedRange: Int32 = 4
    static let enumReservedName: Int32 = 5
    static let serviceMethod: Int32 = 2
    static let fieldExtendee: Int32 = 2
    static let fieldNumber: Int32 = 3
    static let fieldTypeName: Int32 = 6
    static let fieldDefault: Int32 = 7
    static let fieldJSONName: Int32 = 10
    static let methodInput: Int32 = 2
    static let methodOutput: Int32 = 3
}
