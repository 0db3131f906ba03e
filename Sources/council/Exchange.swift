import CouncilNode
import CouncilProtocol
import CouncilWire
import Foundation

/// An exchange script (Spec/EXCHANGES.md §2–§3), parsed and checked before anything runs.
struct Exchange {
    struct Act {
        var act: JSONValue
        var by: String
        var at: String
        var time: UInt64
        var name: String?
        var expect: String
    }

    enum Check {
        case resolution(name: String, expected: [String: JSONValue], counted: [String], notCounted: [String])
        case mandates(standing: [String], notStanding: [String])
        case digestsEqual
    }

    enum Action {
        case act(Act)
        case forge(kind: String, Act)
        case cut(String, String)
        case restore(String, String)
        case isolate(String)
        case rejoin(String)
        case kill(String)
        case start(String)
        case check(Check, nodes: [String]?)
    }

    struct Step {
        var say: String
        var action: Action
        var line: Int
    }

    let file: String
    let title: String
    let date: String
    let history: String
    let federation: String
    let start: UInt64
    let steps: [Step]
    let digest: String

    static let forgeKinds = ["unsigned", "bad-signature", "unknown-key", "impersonate"]
    static let expectations = ["accepted", "held"] + ErrorCode.registry.map(\.name)

    static func load(_ path: String, nodes: Set<String>) throws -> Exchange {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CLIError("\(path): cannot read the file: \(error.fileReason)")
        }
        do {
            return try parse(text, file: path, nodes: nodes)
        } catch {
            throw CLIError(error.description)
        }
    }

    static func parse(_ text: String, file: String, nodes: Set<String>) throws(JSONParser.Failure) -> Exchange {
        let document = try JSONDocument(text: text, file: file)
        try document.allowOnly("", ["title", "date", "history", "federation", "start", "steps", "digest"])
        let start = try document.integer("start", UInt64.self)
        var steps: [Step] = []
        var names: Set<String> = []
        var lastTime: UInt64 = 0
        func node(_ path: String, allowAll: Bool = false) throws(JSONParser.Failure) -> String {
            let name = try document.string(path)
            guard nodes.contains(name) || (allowAll && name == "*") else {
                throw document.failure(path, "\"\(name)\" is not a node of the federation (\(nodes.sorted().joined(separator: ", ")))")
            }
            return name
        }
        func pair(_ path: String) throws(JSONParser.Failure) -> (String, String) {
            guard try document.count(path) == 2 else { throw document.failure(path, "must be a pair of nodes") }
            return (try node("\(path).0"), try node("\(path).1"))
        }
        func act(_ path: String) throws(JSONParser.Failure) -> Act {
            let timeText = try document.string("\(path).time")
            guard let offset = Self.offset(timeText) else { throw document.failure("\(path).time", "\"\(timeText)\" is not an offset like +0, +90s, +15m, +2h, +3d") }
            guard start + offset >= lastTime else { throw document.failure("\(path).time", "is earlier than the previous act's time") }
            lastTime = start + offset
            guard case .object(let fields)? = document.value("\(path).act"), fields["act"]?.stringValue != nil else {
                throw document.failure("\(path).act", "must be an object with an `act` member (MANDATE, RECALL, PROPOSAL, VOTE, CLOSE, REPLACE, DISSOLVE)")
            }
            try checkReferences(document.value("\(path).act")!, at: "\(path).act")
            let expect = try document.optionalString("\(path).expect") ?? "accepted"
            guard expectations.contains(expect) else { throw document.failure("\(path).expect", "\"\(expect)\" is neither accepted, held nor a registry code") }
            let name = try document.optionalString("\(path).name")
            if let name { names.insert(name) }
            return Act(act: document.value("\(path).act")!, by: try document.string("\(path).by"), at: try node("\(path).at", allowAll: true),
                       time: start + offset, name: name, expect: expect)
        }
        func checkReferences(_ value: JSONValue, at path: String) throws(JSONParser.Failure) {
            switch value {
            case .string(let text) where text.hasPrefix("$"):
                guard names.contains(String(text.dropFirst())) else { throw document.failure(path, "\(text) names no earlier step") }
            case .array(let items):
                for (index, item) in items.enumerated() { try checkReferences(item, at: "\(path).\(index)") }
            case .object(let members):
                for (key, member) in members { try checkReferences(member, at: "\(path).\(key)") }
            default: break
            }
        }
        func references(_ path: String) throws(JSONParser.Failure) -> [String] {
            var list: [String] = []
            for index in 0..<(try document.count(path, required: false)) {
                let text = try document.string("\(path).\(index)")
                guard text.hasPrefix("$"), names.contains(String(text.dropFirst())) else { throw document.failure("\(path).\(index)", "\(text) names no earlier step") }
                list.append(String(text.dropFirst()))
            }
            return list
        }
        for index in 0..<(try document.count("steps")) {
            let path = "steps.\(index)"
            guard case .object(let members)? = document.value(path) else { throw document.failure(path, "a step is an object") }
            let say = try document.optionalString("\(path).say") ?? ""
            let kinds = members["forge"] != nil ? ["forge"]
                : ["act", "cut", "restore", "isolate", "rejoin", "kill", "start", "check"].filter { members[$0] != nil }
            guard kinds.count == 1 else { throw document.failure(path, "a step has exactly one of act, forge, cut, restore, isolate, rejoin, kill, start, check") }
            let line = document.failure(path, "").line
            let action: Action
            switch kinds[0] {
            case "act":
                try document.allowOnly(path, ["say", "act", "by", "at", "time", "name", "expect"])
                action = .act(try act(path))
            case "forge":
                try document.allowOnly(path, ["say", "forge", "act", "by", "at", "time", "expect"])
                let kind = try document.string("\(path).forge")
                guard forgeKinds.contains(kind) else { throw document.failure("\(path).forge", "is one of \(forgeKinds.joined(separator: ", "))") }
                action = .forge(kind: kind, try act(path))
            case "cut", "restore":
                try document.allowOnly(path, ["say", kinds[0]])
                let (a, b) = try pair("\(path).\(kinds[0])")
                action = kinds[0] == "cut" ? .cut(a, b) : .restore(a, b)
            case "isolate", "rejoin", "kill", "start":
                try document.allowOnly(path, ["say", kinds[0]])
                let name = try node("\(path).\(kinds[0])")
                action = ["isolate": Action.isolate(name), "rejoin": .rejoin(name), "kill": .kill(name), "start": .start(name)][kinds[0]]!
            default:
                try document.allowOnly(path, ["say", "check", "nodes", "resolution", "status", "outcome", "for", "against", "abstain", "seats_voted",
                                              "counted", "not_counted", "standing", "not_standing"])
                var nodesList: [String]?
                if document.value("\(path).nodes")?.stringValue != "*", document.value("\(path).nodes") != nil {
                    nodesList = []
                    for item in 0..<(try document.count("\(path).nodes")) { nodesList!.append(try node("\(path).nodes.\(item)")) }
                }
                let check: Check
                switch try document.string("\(path).check") {
                case "resolution":
                    let reference = try document.string("\(path).resolution")
                    guard reference.hasPrefix("$"), names.contains(String(reference.dropFirst())) else {
                        throw document.failure("\(path).resolution", "\(reference) names no earlier step")
                    }
                    var expected: [String: JSONValue] = [:]
                    for key in ["status", "outcome", "for", "against", "abstain", "seats_voted"] { expected[key] = document.value("\(path).\(key)") }
                    check = .resolution(name: String(reference.dropFirst()), expected: expected.compactMapValues { $0 },
                                        counted: try references("\(path).counted"), notCounted: try references("\(path).not_counted"))
                case "mandates":
                    check = .mandates(standing: try references("\(path).standing"), notStanding: try references("\(path).not_standing"))
                case "digests-equal":
                    check = .digestsEqual
                case let other:
                    throw document.failure("\(path).check", "\"\(other)\" is not a check (resolution, mandates, digests-equal)")
                }
                action = .check(check, nodes: nodesList)
            }
            steps.append(Step(say: say, action: action, line: line))
        }
        return Exchange(file: file, title: try document.string("title"), date: try document.optionalString("date") ?? "",
                        history: try document.optionalString("history") ?? "", federation: try document.identifier("federation"), start: start,
                        steps: steps, digest: try document.optionalString("digest") ?? "")
    }

    /// `+0`, `+90s`, `+15m`, `+2h`, `+3d` in milliseconds.
    static func offset(_ text: String) -> UInt64? {
        guard text.hasPrefix("+") else { return nil }
        return text == "+0" ? 0 : TimeSpan(argument: String(text.dropFirst()))?.milliseconds
    }
}
