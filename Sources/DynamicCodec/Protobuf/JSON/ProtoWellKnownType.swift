/// The well-known types whose JSON form is special.
package enum ProtoWellKnownType {
    case any, timestamp, duration, fieldMask, empty, structValue, value, listValue
    /// A wrapper (`google.protobuf.Int64Value`, ...): JSON is the wrapped scalar.
    case wrapper

    package init?(_ fullName: String) {
        guard fullName.hasPrefix("google.protobuf.") else { return nil }
        switch fullName.dropFirst(16) {
        case "Any": self = .any
        case "Timestamp": self = .timestamp
        case "Duration": self = .duration
        case "FieldMask": self = .fieldMask
        case "Empty": self = .empty
        case "Struct": self = .structValue
        case "Value": self = .value
        case "ListValue": self = .listValue
        case "DoubleValue", "FloatValue", "Int64Value", "UInt64Value", "Int32Value", "UInt32Value", "BoolValue",
            "StringValue", "BytesValue":
            self = .wrapper
        default: return nil
        }
    }

    /// Timestamps are limited to years 0001 through 9999.
    package static let minTimestampSeconds: Int64 = -62_135_596_800
    package static let maxTimestampSeconds: Int64 = 253_402_300_799
    /// Durations are limited to about ±10,000 years.
    package static let maxDurationSeconds: Int64 = 315_576_000_000
}

/// Calendar arithmetic for RFC 3339 timestamps (proleptic Gregorian, UTC), without Foundation.
package enum ProtoCivilTime {
    /// Days since 1970-01-01 for a civil date.
    package static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let adjustedYear = month <= 2 ? year - 1 : year
        let era = (adjustedYear >= 0 ? adjustedYear : adjustedYear - 399) / 400
        let yearOfEra = adjustedYear - era * 400
        let monthIndex = (month + 9) % 12
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    package static func date(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    package static func isLeap(_ year: Int64) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    package static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
