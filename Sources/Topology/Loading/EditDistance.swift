/// Levenshtein distance, for did-you-mean suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased()), b = Array(b.lowercased())
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = Array(repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// The closest candidate within edit distance 2, if any (first one wins a tie).
func closestMatch(to word: String, in candidates: some Sequence<String>) -> String? {
    var best: (String, Int)?
    for candidate in candidates where candidate != word {
        let distance = editDistance(word, candidate)
        if distance <= 2, distance < max(word.count, candidate.count), distance < best?.1 ?? .max {
            best = (candidate, distance)
        }
    }
    return best?.0
}

/// "; did you mean 'x'?" or "".
func didYouMean(_ word: String, _ candidates: some Sequence<String>) -> String {
    closestMatch(to: word, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
}
