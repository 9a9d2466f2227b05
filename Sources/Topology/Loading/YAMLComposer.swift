import Yams

/// Turns YAML text into a Yams `Node` tree (which keeps line:col marks), reporting syntax
/// errors as diagnostics.
///
/// Yams refuses a mapping with a repeated key and stops there, which would hide every other
/// mistake in the file. So on each such refusal the repeated occurrences are found in the text,
/// reported, and renamed to private-use placeholders of the same length in Unicode scalars (so
/// every line:col stays right), and the text is composed again. The reader skips placeholder keys.
enum YAMLComposer {
    /// Placeholders start with a scalar from Supplementary Private Use Area-B.
    static func isPlaceholder(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first else { return false }
        return (0x100000...0x10FFFD).contains(first.value)
    }

    static func compose(_ text: String, file: String, diagnostics: inout [TopologyDiagnostic]) -> Node? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { Array($0.unicodeScalars) }
        var current = text
        var renamed = 0
        while true {
            do {
                return try Yams.compose(yaml: current)
            } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
                let key = duplicates.first ?? ""
                let first = context.mark
                let repeats = DuplicateKeyFinder(lines: lines)
                    .repeats(of: key, firstAt: (first.line, first.column))
                guard !repeats.isEmpty, renamed + repeats.count < 0xFFFD else {
                    // Can't find the repetition in the text: report it where Yams saw it and stop.
                    diagnostics.append(.init(file: file, line: first.line, column: first.column,
                                             message: "duplicate key '\(key)' in this mapping"))
                    return nil
                }
                for (line, column, start, length) in repeats {
                    diagnostics.append(.init(file: file, line: line, column: column,
                                             message: "duplicate key '\(key)' (first at line \(first.line))"))
                    var placeholder = [Unicode.Scalar(UInt32(0x100000 + renamed))!]
                    placeholder += Array(repeating: Unicode.Scalar(0xE000)!, count: length - 1)
                    lines[line - 1].replaceSubrange((start - 1)..<(start - 1 + length), with: placeholder)
                    renamed += 1
                }
                current = lines.map { String(String.UnicodeScalarView($0)) }.joined(separator: "\n")
            } catch let error as YamlError {
                diagnostics.append(syntaxDiagnostic(error, file: file, text: current))
                return nil
            } catch {
                diagnostics.append(.init(file: file, line: 1, column: 1, message: "cannot read yaml: \(error)"))
                return nil
            }
        }
    }

    static func syntaxDiagnostic(_ error: YamlError, file: String, text: String) -> TopologyDiagnostic {
        func located(_ mark: Mark, _ context: YamlError.Context?, _ problem: String) -> TopologyDiagnostic {
            var message = "yaml syntax error: \(problem)"
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            return .init(file: file, line: mark.line, column: mark.column, message: message)
        }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            return located(mark, context, problem)
        case let .reader(problem, offset, _, _):
            var line = 1, column = 1
            if let offset {
                for character in text.prefix(offset) {
                    if character == "\n" { line += 1; column = 1 } else { column += 1 }
                }
            }
            return .init(file: file, line: line, column: column, message: "cannot read yaml: \(problem)")
        default:
            return .init(file: file, line: 1, column: 1, message: "cannot read yaml: \(error)")
        }
    }
}

/// Finds the later occurrences of a mapping key in the text, given where the first one is.
/// A small lexer, not a YAML parser: it tracks flow brackets, quotes and comments only, enough
/// for the sibling keys of one block or flow mapping.
struct DuplicateKeyFinder {
    let lines: [[Unicode.Scalar]]

    /// Each repetition, 1-based: where its token starts (at the quote, if quoted), where the
    /// key's own scalars start, and how many there are.
    func repeats(of key: String, firstAt first: (line: Int, column: Int)) -> [(Int, Int, Int, Int)] {
        let key = Array(key.unicodeScalars)
        guard !key.isEmpty, first.line >= 1, first.line <= lines.count,
              keyLength(key, line: first.line - 1, at: first.column - 1) != nil
        else { return [] }
        return flowDepth(upTo: first) == 0 ? blockRepeats(of: key, first: first) : flowRepeats(of: key, first: first)
    }

    /// Where the key's own scalars are (inside quotes, if quoted) when `key` followed by `:` is
    /// written at this position, else nil.
    private func keyLength(_ key: [Unicode.Scalar], line: Int, at column: Int) -> (start: Int, length: Int)? {
        let text = lines[line]
        var start = column
        var quote: Unicode.Scalar?
        if start < text.count, text[start] == "\"" || text[start] == "'" { quote = text[start]; start += 1 }
        guard start + key.count <= text.count, Array(text[start..<(start + key.count)]) == key else { return nil }
        var end = start + key.count
        if let quote {
            guard end < text.count, text[end] == quote else { return nil }
            end += 1
        }
        while end < text.count, text[end] == " " || text[end] == "\t" { end += 1 }
        guard end < text.count, text[end] == ":" else { return nil }
        return (start, key.count)
    }

    private func blockRepeats(of key: [Unicode.Scalar], first: (line: Int, column: Int)) -> [(Int, Int, Int, Int)] {
        let indent = first.column - 1
        var found: [(Int, Int, Int, Int)] = []
        for index in first.line..<lines.count {
            let text = lines[index]
            let leading = text.prefix { $0 == " " }.count
            if leading == text.count || text[leading] == "#" || text[leading] == "\r" { continue }
            if leading < indent { break }
            if leading == indent, let match = keyLength(key, line: index, at: indent) {
                found.append((index + 1, indent + 1, match.start + 1, match.length))
            }
        }
        return found
    }

    private func flowRepeats(of key: [Unicode.Scalar], first: (line: Int, column: Int)) -> [(Int, Int, Int, Int)] {
        var found: [(Int, Int, Int, Int)] = []
        var depth = 0
        var afterComma = false
        var line = first.line - 1, column = first.column - 1 + key.count
        while line < lines.count {
            let text = lines[line]
            if column >= text.count { line += 1; column = 0; continue }
            let c = text[column]
            if c == "#", column == 0 || text[column - 1] == " " || text[column - 1] == "\t" {
                line += 1; column = 0; continue  // a comment runs to the end of the line
            }
            if afterComma, c != " ", c != "\t", c != "\r" {
                afterComma = false
                if depth == 0, let match = keyLength(key, line: line, at: column) {
                    found.append((line + 1, column + 1, match.start + 1, match.length))
                }
            }
            switch c {
            case "{", "[": depth += 1
            case "}", "]":
                depth -= 1
                if depth < 0 { return found }
            case ",": afterComma = true
            case "\"", "'":
                if startsToken(text, column) { skipQuoted(&line, &column); continue }
            default: break
            }
            column += 1
        }
        return found
    }

    /// The flow nesting depth at a position, counted from the start of the text.
    private func flowDepth(upTo end: (line: Int, column: Int)) -> Int {
        var depth = 0
        var line = 0, column = 0
        while line < end.line - 1 || (line == end.line - 1 && column < end.column - 1) {
            guard line < lines.count else { break }
            let text = lines[line]
            if column >= text.count { line += 1; column = 0; continue }
            switch text[column] {
            case "{", "[": depth += 1
            case "}", "]": depth = max(0, depth - 1)
            case "#" where column == 0 || text[column - 1] == " " || text[column - 1] == "\t":
                line += 1; column = 0; continue
            case "\"", "'":
                if startsToken(text, column) { skipQuoted(&line, &column); continue }
            default: break
            }
            column += 1
        }
        return depth
    }

    private func startsToken(_ text: [Unicode.Scalar], _ column: Int) -> Bool {
        var i = column - 1
        while i >= 0, text[i] == " " || text[i] == "\t" { i -= 1 }
        return i < 0 || "{[,:-?".unicodeScalars.contains(text[i])
    }

    /// Moves past a quoted scalar that starts at the position (which may span lines).
    private func skipQuoted(_ line: inout Int, _ column: inout Int) {
        let quote = lines[line][column]
        column += 1
        while line < lines.count {
            let text = lines[line]
            while column < text.count {
                if quote == "\"", text[column] == "\\" { column += 2; continue }
                if text[column] == quote {
                    if quote == "'", column + 1 < text.count, text[column + 1] == "'" { column += 2; continue }
                    column += 1
                    return
                }
                column += 1
            }
            line += 1; column = 0
        }
    }
}
