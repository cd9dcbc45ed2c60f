extension ConfigLoader { public static let embeddedDefaultYAML: String = "" }
