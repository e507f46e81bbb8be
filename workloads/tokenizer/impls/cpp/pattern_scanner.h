// Hand-written matchers for the two pre-tokenizer regexes nearly every byte-level tokenizer.json uses,
// GPT-2's and Llama-3's, giving exactly the matches a backtracking engine gives (alternation order,
// greedy runs, the one-character backtrack of \s+(?!\S)), at a fraction of the cost of running the regex.
// Any other pattern goes to PCRE2. Equality with PCRE2 is tested on every corpus and on random strings
// (pattern_scanner_test in tokenizer_test.cc) and checked by the fuzz target.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "regex_splitter.h"

namespace claimbench::tokenizer {

// GPT-2's pre-tokenizer regex, the one HF's ByteLevel uses when use_regex is true.
inline constexpr std::string_view kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// Llama-3's pre-tokenizer regex, as its tokenizer.json's Split step has it.
inline constexpr std::string_view kLlama3Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

enum class ScannerKind { kGpt2, kLlama3 };

// The scanner that implements `pattern` exactly, if there is one.
std::optional<ScannerKind> ScannerFor(std::string_view pattern);

// Appends the matches of the scanner's pattern in `text` (valid UTF-8) to `matches`: every character is
// covered, since both patterns match at any position. Thread-safe.
void ScanAll(ScannerKind kind, std::string_view text, std::vector<Span>& matches);

}  // namespace claimbench::tokenizer
