import PorticoCore
import Testing

/// Parses `text` expecting failure; returns the error so tests can check where it points.
private func parseError(_ text: String) -> TOMLParseError? {
    do throws(TOMLParseError) {
        _ = try TOML.parse(text)
        return nil
    } catch {
        return error
    }
}

private func table(_ value: TOMLValue?) -> TOMLTable? {
    value?.tableValue
}

@Suite struct TOMLDocumentTests {
    @Test func emptyDocumentsCommentsAndByteOrderMark() throws {
        #expect(try TOML.parse("").isEmpty)
        #expect(try TOML.parse("# just a comment\n\n   \t\n# another").isEmpty)
        #expect(try TOML.parse("\u{FEFF}a = 1")["a"] == .integer(1))
        let doc = try TOML.parse("a = 1 # trailing comment\n# b = 2\n")
        #expect(doc.keys == ["a"])
    }

    @Test func bareQuotedAndDottedKeys() throws {
        let doc = try TOML.parse(#"""
        bare_key-1 = 1
        1234 = 2
        "quoted key" = 3
        'literal "key"' = 4
        "" = 5
        "\u00e9" = 6
        site . "my key" . deep = 7
        physical.color = "orange"
        physical.shape = "round"
        3.14 = "pi"
        """#)
        #expect(doc["bare_key-1"] == .integer(1))
        #expect(doc["1234"] == .integer(2))
        #expect(doc["quoted key"] == .integer(3))
        #expect(doc[#"literal "key""#] == .integer(4))
        #expect(doc[""] == .integer(5))
        #expect(doc["é"] == .integer(6))
        #expect(table(table(doc["site"])?["my key"])?["deep"] == .integer(7))
        #expect(doc["physical"] == .table(["color": .string("orange"), "shape": .string("round")]))
        #expect(table(doc["3"])?["14"] == .string("pi"))
    }

    @Test func tablesAndImplicitSuperTables() throws {
        let doc = try TOML.parse("""
        top = true
        [server]
        host = "localhost"
        [ dog . "tater.man" ]
        type.name = "pug"
        [x.y.z]
        w = 1
        [x]
        v = 2
        [x.y]
        u = 3
        """)
        #expect(doc.keys == ["top", "server", "dog", "x"])
        #expect(doc["server"] == .table(["host": .string("localhost")]))
        #expect(doc["dog"] == .table(["tater.man": .table(["type": .table(["name": .string("pug")])])]))
        #expect(doc["x"] == .table(["v": .integer(2), "y": .table(["u": .integer(3), "z": .table(["w": .integer(1)])])]))
    }

    @Test func dottedKeysCanBeExtendedBySubTableHeaders() throws {
        let doc = try TOML.parse("""
        [fruit]
        apple.color = "red"
        apple.taste.sweet = true
        [fruit.apple.texture]
        smooth = true
        """)
        let apple = try #require(table(table(doc["fruit"])?["apple"]))
        #expect(apple.keys == ["color", "taste", "texture"])
        #expect(apple["taste"] == .table(["sweet": .boolean(true)]))
        #expect(apple["texture"] == .table(["smooth": .boolean(true)]))
    }

    @Test func arraysOfTables() throws {
        let doc = try TOML.parse("""
        [[products]]
        name = "Hammer"
        [[products]]
        [[products]]
        name = "Nail"

        [[fruits]]
        name = "apple"
        [fruits.physical]
        color = "red"
        [[fruits.varieties]]
        name = "red delicious"
        [[fruits.varieties]]
        name = "granny smith"
        [[fruits]]
        name = "banana"
        [[fruits.varieties]]
        name = "plantain"
        """)
        #expect(doc["products"] == .array([.table(["name": .string("Hammer")]), .table([:]), .table(["name": .string("Nail")])]))
        let fruits = try #require(doc["fruits"]?.arrayValue)
        #expect(fruits.count == 2)
        #expect(fruits.first == .table([
            "name": .string("apple"),
            "physical": .table(["color": .string("red")]),
            "varieties": .array([.table(["name": .string("red delicious")]), .table(["name": .string("granny smith")])]),
        ]))
        #expect(fruits.last == .table(["name": .string("banana"), "varieties": .array([.table(["name": .string("plantain")])])]))
    }

    @Test func basicStringsAndEscapes() throws {
        let doc = try TOML.parse(#"""
        a = "tab\there \"quoted\" back\\slash"
        b = "\b\f\n\r"
        c = "Jos\u00E9 \U0001F600"
        d = "literal tab	inside"
        e = ""
        f = "# not a comment"
        """#)
        #expect(doc["a"] == .string("tab\there \"quoted\" back\\slash"))
        #expect(doc["b"] == .string("\u{08}\u{0C}\n\r"))
        #expect(doc["c"] == .string("José 😀"))
        #expect(doc["d"] == .string("literal tab\tinside"))
        #expect(doc["e"] == .string(""))
        #expect(doc["f"] == .string("# not a comment"))
    }

    @Test func literalStrings() throws {
        let doc = try TOML.parse(#"""
        path = 'C:\Users\nodejs\templates'
        regex = '<\i\c*\s*>'
        quoted = 'Tom "Dubs" Preston-Werner'
        """#)
        #expect(doc["path"] == .string(#"C:\Users\nodejs\templates"#))
        #expect(doc["regex"] == .string(#"<\i\c*\s*>"#))
        #expect(doc["quoted"] == .string(#"Tom "Dubs" Preston-Werner"#))
    }

    @Test func multiLineBasicStrings() throws {
        // Built with explicit escapes so trailing whitespace after the backslashes survives editors.
        let text = "first = \"\"\"\nRoses are red\nViolets are blue\"\"\"\n"
            + "joined = \"\"\"\nThe quick brown \\   \n\n   fox jumps over \\\n    the lazy dog.\"\"\"\n"
            + "quotes = \"\"\"Here are two quotation marks: \"\". Simple.\"\"\"\n"
            + "edge = \"\"\"\"This,\" she said, \"is pointless.\"\"\"\"\"\n"
            + "escaped = \"\"\"a\\tb \\\"\"\" \\u0041\"\"\"\n"
        let doc = try TOML.parse(text)
        #expect(doc["first"] == .string("Roses are red\nViolets are blue"))
        #expect(doc["joined"] == .string("The quick brown fox jumps over the lazy dog."))
        #expect(doc["quotes"] == .string("Here are two quotation marks: \"\". Simple."))
        #expect(doc["edge"] == .string("\"This,\" she said, \"is pointless.\"\""))
        #expect(doc["escaped"] == .string("a\tb \"\"\" A"))
    }

    @Test func multiLineLiteralStrings() throws {
        let doc = try TOML.parse("""
        regex = '''I [dw]on't need \\d{2} apples'''
        lines = '''
        The first newline is
        trimmed in raw strings.
           Indentation stays.
        '''
        quotes = ''''That,' she said, 'is still pointless.''''
        """)
        #expect(doc["regex"] == .string(#"I [dw]on't need \d{2} apples"#))
        #expect(doc["lines"] == .string("The first newline is\ntrimmed in raw strings.\n   Indentation stays.\n"))
        #expect(doc["quotes"] == .string("'That,' she said, 'is still pointless.'"))
    }

    @Test func windowsLineEndingsAreAcceptedAndNormalised() throws {
        let doc = try TOML.parse("a = 1\r\n# comment\r\n[t]\r\nb = \"\"\"\r\nx\r\ny\"\"\"\r\nc = [\r\n 1,\r\n]\r\n")
        #expect(doc["a"] == .integer(1))
        #expect(doc["t"] == .table(["b": .string("x\ny"), "c": .array([.integer(1)])]))
        #expect(table(doc["t"])?.line(of: "c") == 7)
    }

    @Test func integers() throws {
        let doc = try TOML.parse("""
        plus = +99
        plain = 42
        zero = 0
        signedZero = -0
        negative = -17
        thousands = 5_349_221
        odd = 1_2_3
        hex = 0xDEAD_beef
        octal = 0o755
        binary = 0b1101_0110
        leadingZerosAfterPrefix = 0x000F
        max = 9223372036854775807
        min = -9223372036854775808
        hexMax = 0x7FFFFFFFFFFFFFFF
        """)
        let expected: [(String, Int64)] = [
            ("plus", 99), ("plain", 42), ("zero", 0), ("signedZero", 0), ("negative", -17),
            ("thousands", 5_349_221), ("odd", 123), ("hex", 0xDEAD_BEEF), ("octal", 0o755),
            ("binary", 0b1101_0110), ("leadingZerosAfterPrefix", 15), ("max", .max), ("min", .min), ("hexMax", .max),
        ]
        for (key, value) in expected {
            #expect(doc[key] == .integer(value), "\(key)")
        }
    }

    @Test func floats() throws {
        let doc = try TOML.parse("""
        a = +1.0
        b = 3.1415
        c = -0.01
        d = 5e+22
        e = 1e06
        f = -2E-2
        g = 6.626e-34
        h = 224_617.445_991_228
        i = 0.0
        j = -0.0
        k = 1e1_0
        posInf = inf
        plusInf = +inf
        negInf = -inf
        nan = nan
        plusNan = +nan
        minusNan = -nan
        """)
        let expected: [(String, Double)] = [
            ("a", 1), ("b", 3.1415), ("c", -0.01), ("d", 5e22), ("e", 1e6), ("f", -0.02), ("g", 6.626e-34),
            ("h", 224_617.445_991_228), ("i", 0), ("k", 1e10), ("posInf", .infinity), ("plusInf", .infinity), ("negInf", -.infinity),
        ]
        for (key, value) in expected {
            #expect(doc[key] == .float(value), "\(key)")
        }
        #expect(doc["j"]?.doubleValue?.sign == .minus)
        for key in ["nan", "plusNan", "minusNan"] {
            #expect(doc[key]?.doubleValue?.isNaN == true, "\(key)")
        }
    }

    @Test func booleans() throws {
        let doc = try TOML.parse("yes = true\nno = false")
        #expect(doc["yes"] == .boolean(true))
        #expect(doc["no"] == .boolean(false))
    }

    @Test func dateTimesKeepTheirSourceText() throws {
        let values = [
            "1979-05-27T07:32:00Z", "1979-05-27T00:32:00-07:00", "1979-05-27T00:32:00.999999+05:30",
            "1979-05-27 07:32:00Z", "1979-05-27t07:32:00z", "1979-05-27T07:32:00", "1979-05-27T00:32:00.5",
            "1979-05-27", "2000-02-29", "07:32:00", "00:32:00.999999", "1990-12-31T23:59:60Z",
        ]
        for value in values {
            let doc = try TOML.parse("when = \(value) # comment")
            #expect(doc["when"] == .dateTime(value))
            #expect(doc["when"]?.dateTimeValue == value)
        }
        let inArray = try TOML.parse("a = [1979-05-27, 07:32:00, 1979-05-27 07:32:00]")
        #expect(inArray["a"] == .array([.dateTime("1979-05-27"), .dateTime("07:32:00"), .dateTime("1979-05-27 07:32:00")]))
    }

    @Test func arrays() throws {
        let doc = try TOML.parse(#"""
        empty = []
        ints = [ 1, 2, 3 ]
        nested = [ [ 1, 2 ], ["a", 'b'] ]
        mixed = [ 0.1, "x", true, { name = "Baz" } ]
        multi = [
          1,
          2, # a comment
          # a line of comment
        ]
        strings = [ "all", 'strings', """are""", '''ok''', ]
        """#)
        #expect(doc["empty"] == .array([]))
        #expect(doc["ints"] == .array([.integer(1), .integer(2), .integer(3)]))
        #expect(doc["nested"] == .array([.array([.integer(1), .integer(2)]), .array([.string("a"), .string("b")])]))
        #expect(doc["mixed"] == .array([.float(0.1), .string("x"), .boolean(true), .table(["name": .string("Baz")])]))
        #expect(doc["multi"] == .array([.integer(1), .integer(2)]))
        #expect(doc["strings"] == .array(["all", "strings", "are", "ok"].map(TOMLValue.string)))
    }

    @Test func inlineTables() throws {
        let doc = try TOML.parse("""
        name = { first = "Tom", last = "Preston-Werner" }
        empty = {}
        animal = { type.name = "pug", type.age = 3 }
        nested = { a = { b = [1, { c = 2 }] } }
        [product]
        type = { name = "Nail" }
        """)
        #expect(doc["name"] == .table(["first": .string("Tom"), "last": .string("Preston-Werner")]))
        #expect(table(doc["name"])?.keys == ["first", "last"])
        #expect(doc["empty"] == .table([:]))
        #expect(doc["animal"] == .table(["type": .table(["name": .string("pug"), "age": .integer(3)])]))
        #expect(doc["nested"] == .table(["a": .table(["b": .array([.integer(1), .table(["c": .integer(2)])])])]))
        #expect(doc["product"] == .table(["type": .table(["name": .string("Nail")])]))
    }

    @Test func everyKeyKnowsItsLine() throws {
        let doc = try TOML.parse("""
        # Portico configuration
        title = "Portico"

        [site.theme]
        name = "default"

        [site]
        name = "Main"
        limits.upload = 10
        inline = { a = [
          1 ], b = 2 }

        [[redirects]]
        from = "/a"
        [[redirects]]

        from = "/b"
        """)
        #expect(doc.line(of: "title") == 2)
        // The explicit [site] header, not the [site.theme] that created it implicitly.
        #expect(doc.line(of: "site") == 7)
        #expect(doc.line(of: "redirects") == 13)
        #expect(doc.line(of: "missing") == nil)
        let site = try #require(table(doc["site"]))
        #expect(site.line(of: "theme") == 4)
        #expect(site.line(of: "name") == 8)
        #expect(site.line(of: "limits") == 9)
        #expect(table(site["limits"])?.line(of: "upload") == 9)
        #expect(site.line(of: "inline") == 10)
        #expect(table(site["inline"])?.line(of: "b") == 11)
        #expect(table(site["theme"])?.line(of: "name") == 5)
        let redirects = try #require(doc["redirects"]?.arrayValue)
        #expect(table(redirects.first)?.line(of: "from") == 14)
        #expect(table(redirects.last)?.line(of: "from") == 17)
    }

    @Test func keysKeepSourceOrderButEqualityIgnoresOrderAndLines() throws {
        let first = try TOML.parse("b = 1\na = 2\n[c]\nd = 3")
        let second = try TOML.parse("\n\na = 2\nb = 1\nc.d = 3")
        #expect(first.keys == ["b", "a", "c"])
        #expect(second.keys == ["a", "b", "c"])
        #expect(first == second)
        #expect(first.count == 3)
        #expect(first != (try TOML.parse("b = 1\na = 2")))
        let built: TOMLTable = ["b": .integer(1), "a": .integer(2), "c": .table(["d": .integer(3)])]
        #expect(built == first)
        #expect(built.line(of: "a") == nil)
    }

    @Test func accessorsAndTypeNames() {
        #expect(TOMLValue.string("x").stringValue == "x")
        #expect(TOMLValue.integer(3).integerValue == 3)
        #expect(TOMLValue.integer(3).doubleValue == 3)
        #expect(TOMLValue.float(1.5).doubleValue == 1.5)
        #expect(TOMLValue.boolean(true).boolValue == true)
        #expect(TOMLValue.string("x").integerValue == nil)
        #expect(TOMLValue.array([]).arrayValue == [])
        #expect(TOMLValue.table([:]).tableValue == TOMLTable())
        let names = [TOMLValue.string(""), .integer(0), .float(0), .boolean(false), .dateTime(""), .array([]), .table([:])].map(\.typeName)
        #expect(names == ["string", "integer", "float", "boolean", "date-time", "array", "table"])
    }
}

/// One malformed document and where its error must point.
struct TOMLErrorCase: Sendable, CustomTestStringConvertible {
    let source: String
    let line: Int
    let column: Int
    let message: String

    init(_ source: String, _ line: Int, _ column: Int, _ message: String) {
        self.source = source
        self.line = line
        self.column = column
        self.message = message
    }

    var testDescription: String { "\(message) ← \(source.debugDescription)" }
}

@Suite struct TOMLErrorTests {
    static let cases: [TOMLErrorCase] = [
        // Duplicates and redefinitions
        .init("name = 1\nport = 2\nname = 3", 3, 1, "duplicate key 'name', first defined on line 1"),
        .init("[server]\nport = 1\nport = 2", 3, 1, "duplicate key 'server.port', first defined on line 2"),
        .init("point = { x = 1, x = 2 }", 1, 18, "duplicate key 'point.x'"),
        .init("a = 1\r\nb = 2\r\na = 3", 3, 1, "duplicate key 'a'"),
        .init("[a]\nx = 1\n[b]\n[a]", 4, 2, "table [a] is defined twice, first on line 1"),
        .init("[a.b]\n[a.b]", 2, 4, "table [a.b] is defined twice"),
        .init("[fruit]\napple.color = 'red'\n[fruit.apple]", 3, 8, "table [fruit.apple] is already defined by dotted keys on line 2"),
        .init("[[a]]\n[a]", 2, 2, "'a' is already an array of tables (line 1)"),
        .init("[a]\n[[a]]", 2, 3, "cannot define the array of tables [[a]]: 'a' is already a table (line 1)"),
        .init("a = []\n[[a]]", 2, 3, "cannot append to the array 'a' (line 1)"),
        // A key both as a value and as a table
        .init("a = 1\n[a]", 2, 2, "'a' is already a value (line 1), it cannot also be a table"),
        .init("a = 1\n[a.b]", 2, 2, "'a' is already a value (line 1)"),
        .init("a = 1\na.b = 2", 2, 1, "'a' is already a value (line 1)"),
        .init("[a.b]\nx = 1\n[a]\nb = 2", 4, 1, "duplicate key 'a.b': it is already a table (line 1)"),
        .init("a.b = 1\na = 2", 2, 1, "duplicate key 'a': it is already a table (line 1)"),
        .init("[a.b]\nx = 1\n[a]\nb.y = 2", 4, 1, "cannot add to the table 'a.b' (line 1) with a dotted key"),
        .init("a = { b = 1 }\n[a.c]", 2, 2, "cannot add to the inline table 'a' (line 1)"),
        .init("a = { b = 1 }\na.c = 2", 2, 1, "cannot add to the inline table 'a' (line 1)"),
        // Strings
        .init("a = 1\nb = \"abc\nc = 2", 2, 5, "unterminated string"),
        .init("b = 'abc", 1, 5, "unterminated string"),
        .init("a = 1\nb = \"\"\"abc\n\nmore", 2, 5, "unterminated multi-line string"),
        .init("b = '''abc\n", 1, 5, "unterminated multi-line string"),
        .init("a = 1\nb = \"x\\qy\"", 2, 7, "invalid escape sequence '\\q'"),
        .init("a = \"\"\"\nok\nbad \\x here\"\"\"", 3, 5, "invalid escape sequence '\\x'"),
        .init("a = \"\\uD800\"", 1, 6, "U+D800 is not a Unicode scalar value"),
        .init("a = \"\\u12\"", 1, 6, "expected 4 hexadecimal digits"),
        .init("a = \"x\" \"y\"", 1, 9, "expected the end of the line after the value, found '\"'"),
        .init("a = \"\"\"x\"\"\"\"\"\"", 1, 9, "too many quotes in a row"),
        .init("\"\"\"k\"\"\" = 1", 1, 1, "a key cannot be a multi-line string"),
        // Numbers
        .init("\nport = 08080", 2, 8, "invalid number '08080': leading zeros are not allowed"),
        .init("x = 00.5", 1, 5, "leading zeros are not allowed"),
        .init("n = 1__000", 1, 5, "invalid number '1__000': double underscores are not allowed"),
        .init("n = 1_", 1, 5, "an underscore must be between digits"),
        .init("n = 1_.5", 1, 5, "an underscore must be between digits"),
        .init("n = -0xff", 1, 5, "cannot have a sign"),
        .init("n = 9223372036854775808", 1, 5, "out of range for a 64-bit integer"),
        .init("n = 1.", 1, 5, "invalid number '1.': missing digits"),
        .init("n = 1e", 1, 5, "missing digits"),
        .init("n = 0xG1", 1, 5, "invalid number '0xG1'"),
        .init("n = 1.2.3", 1, 5, "invalid number '1.2.3'"),
        .init("n = .5", 1, 5, "invalid value '.5'"),
        .init("n = 1e400", 1, 5, "out of range for a 64-bit float"),
        // Date-times
        .init("d = 2024-02-30", 1, 5, "invalid date-time '2024-02-30'"),
        .init("d = 2023-13-01", 1, 5, "invalid date-time"),
        .init("t = 07:32", 1, 5, "invalid date-time '07:32'"),
        .init("d = 2024-01-01T24:00:00", 1, 5, "invalid date-time"),
        .init("d = 2024-01-01T10:00:00+2:00", 1, 5, "invalid date-time"),
        // Control characters
        .init("s = \"a\u{01}b\"", 1, 7, "control character U+0001 must be escaped"),
        .init("a = 1 # bell \u{07}", 1, 14, "control character U+0007 is not allowed in a comment"),
        .init("s = 'a\u{7F}'", 1, 7, "control character U+007F"),
        .init("s = '''a\u{00}'''", 1, 9, "control character U+0000"),
        .init("a = 1\rb = 2", 1, 6, "carriage return"),
        // Structure
        .init("\nname \"x\"", 2, 6, "expected '=' after the key 'name', found '\"'"),
        .init("a.b", 1, 4, "expected '=' after the key 'a.b', found end of input"),
        .init("a =\nb = 1", 1, 4, "expected a value, found a newline"),
        .init("a = 1\nb = \"x\" y", 2, 9, "expected the end of the line after the value, found 'y'"),
        .init("a = [1] ]", 1, 9, "expected the end of the line after the value"),
        .init("[a] b = 1", 1, 5, "expected the end of the line after the table header"),
        .init("name = hello", 1, 8, "invalid value 'hello': strings must be quoted"),
        .init("a = { b = 1,\n c = 2 }", 1, 13, "an inline table must be on a single line"),
        .init("a = { b = 1, }", 1, 14, "a trailing comma is not allowed in an inline table"),
        .init("a = { b = 1 c = 2 }", 1, 13, "expected ',' or '}' in the inline table, found 'c'"),
        .init("a = [\n  1\n  2\n]", 3, 3, "expected ',' or ']' in the array, found '2'"),
        .init("a = [1,,2]", 1, 8, "expected a value, found ','"),
        .init("a = [1,\n2", 1, 5, "unterminated array"),
        .init("a = {", 1, 5, "unterminated inline table"),
        .init("[a\nb = 1", 1, 3, "expected ']' to close the table header, found a newline"),
        .init("[[a]\n", 1, 5, "expected ']]' to close the array of tables header"),
        .init("[]", 1, 2, "expected a key, found ']'"),
        .init("= 1", 1, 1, "expected a key or a [table] header, found '='"),
        // Columns count characters, not bytes.
        .init("\"é\" = x", 1, 7, "strings must be quoted"),
    ]

    @Test(arguments: TOMLErrorTests.cases)
    func reportsWhatAndWhere(_ errorCase: TOMLErrorCase) throws {
        let error = try #require(parseError(errorCase.source))
        #expect(error.message.contains(errorCase.message), "\(error)")
        #expect(error.line == errorCase.line, "\(error)")
        #expect(error.column == errorCase.column, "\(error)")
    }

    @Test func descriptionNamesLineAndColumn() {
        let error = TOMLParseError(line: 3, column: 7, message: "duplicate key 'a'")
        #expect(error.description == "line 3, column 7: duplicate key 'a'")
        #expect(parseError("a = 1\na = 2")?.description == "line 2, column 1: duplicate key 'a', first defined on line 1")
    }

    @Test func deepNestingIsAnErrorNotAStackOverflow() throws {
        let arrays = try #require(parseError("a = " + String(repeating: "[", count: 100_000)))
        #expect(arrays.message.contains("nested more than"))
        let inlineTables = try #require(parseError("a = " + String(repeating: "{ b = ", count: 100_000)))
        #expect(inlineTables.message.contains("nested more than"))
        let header = try #require(parseError("[" + Array(repeating: "a", count: 100_000).joined(separator: ".") + "]"))
        #expect(header.message.contains("more than"))
        // Real configurations nest a handful of levels; that must keep working.
        #expect(try TOML.parse("a = [[[[[[1]]]]]]\n[b.c.d.e.f]\ng.h.i = { j = { k = 1 } }")["a"] != nil)
    }

    /// Every prefix and many random mutations of a valid document either parse or produce a
    /// TOMLParseError pointing inside the document — never a crash.
    @Test func truncatedAndMutatedDocumentsNeverCrash() throws {
        let document = #"""
        # Portico site configuration
        title = "Portico \"CMS\" \u00E9"
        path = 'C:\sites\main'
        motd = """
        Welcome \
          everyone ""quoted""
        """
        raw = '''
        line 'one'
        '''
        [server]
        host = "0.0.0.0"
        port = 8_080
        masks = [0xFF, 0o17, 0b101, -5, +3]
        ratio = -1.5e-3
        limits = { upload = 10, nested.deep = inf, list = [nan, 1e10] }
        started = 1979-05-27T07:32:00.5+01:00
        day = 1979-05-27
        at = 07:32:00
        local = 1979-05-27 07:32:00

        [site."main site".theme]
        name = "default" # comment
        flags = [
          true,
          false, # trailing comma
        ]

        [[redirects]]
        from = "/old"
        to = "/new"
        [[redirects]]
        from.path = "/a"
        """#
        let expected = try TOML.parse(document)
        #expect(expected.keys == ["title", "path", "motd", "raw", "server", "site", "redirects"])

        let scalars = Array(document.unicodeScalars)
        var inputs: [[Unicode.Scalar]] = (0...scalars.count).map { Array(scalars[0..<$0]) }

        let alphabet = Array(#"[]{}=.,"'#\ _+-:0123456789abcdefxobeEnTZé"#.unicodeScalars) + ["\n", "\r", "\t", "\u{00}", "\u{7F}"]
        var generator = SplitMix64(seed: 0x5EED)
        for _ in 0..<3_000 {
            var mutated = scalars
            for _ in 0...Int(generator.next() % 3) {
                let index = Int(generator.next() % UInt64(mutated.count + 1))
                let scalar = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                switch generator.next() % 3 {
                case 0: mutated.insert(scalar, at: index)
                case 1: if index < mutated.count { mutated.remove(at: index) }
                default: if index < mutated.count { mutated[index] = scalar }
                }
            }
            inputs.append(mutated)
        }

        var failures = 0
        for input in inputs {
            var text = ""
            text.unicodeScalars.append(contentsOf: input)
            let lineCount = input.count { $0 == "\n" } + 1
            if let error = parseError(text) {
                failures += 1
                #expect(error.line >= 1 && error.line <= lineCount, "\(error) in \(text.debugDescription)")
                #expect(error.column >= 1, "\(error) in \(text.debugDescription)")
                #expect(!error.message.isEmpty)
            }
        }
        // Sanity: the mutations do exercise the error paths.
        #expect(failures > inputs.count / 4)
    }
}

/// A tiny deterministic generator so the mutation test is reproducible.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
