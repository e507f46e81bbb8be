// libFuzzer target for the tokenizer reference: the tokenizer.json loader and the encoder.
//
// The first byte picks what the rest is. 0: a tokenizer.json, which must load or throw TokenizerError
// (nothing else), and if it loads must encode and decode a fixed text. Otherwise: a document, encoded with
// both committed test tokenizers; where it is valid UTF-8 and holds no whitespace-stripping added token,
// decode(encode(x)) must give x back, the hand-written pre-tokenizer scanners must agree with PCRE2, and a
// full word cache and an empty one must give the same ids as the warm one. Crashes,
// sanitizer reports and a failed round trip are findings.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "byte_level.h"
#include "pattern_scanner.h"
#include "regex_splitter.h"
#include "tokenizer.h"

namespace {

namespace tok = claimbench::tokenizer;

const tok::Tokenizer& Load(const char* style) {
  static const std::string testdata = CLAIMBENCH_TOKENIZER_TESTDATA;
  return *new tok::Tokenizer(tok::Tokenizer::FromFile(testdata + "/" + style + "/tokenizer.json"));
}

// `cache` belongs to `tokenizer`: ids cached for one vocabulary mean nothing in another.
void RoundTrip(const tok::Tokenizer& tokenizer, tok::WordCache& cache, std::string_view text, bool check) {
  std::vector<uint32_t> ids;
  tokenizer.Encode(text, cache, ids);
  std::string decoded = tokenizer.Decode(ids);
  if (check && decoded != text) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const tok::Tokenizer& gpt2 = Load("gpt2");
  static const tok::Tokenizer& llama3 = Load("llama3");
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] == 0) {
    try {
      tok::Tokenizer tokenizer = tok::Tokenizer::FromJson(rest);
      tok::WordCache cache;
      std::vector<uint32_t> ids;
      tokenizer.Encode("Hello, world! 123 \xE4\xB8\xAD <|endoftext|>  ", cache, ids);
      try {
        (void)tokenizer.Decode(ids);
      } catch (const tok::TokenizerError&) {
        // A file without a ByteLevel decoder: refused, as documented.
      }
    } catch (const tok::TokenizerError&) {
      // Refused with a message: the expected outcome for most inputs.
    }
    return 0;
  }
  // Encode needs valid UTF-8 (the CLI checks); fuzz the longest valid prefix.
  std::string_view text = rest.substr(0, tok::ValidUtf8Prefix(rest));
  bool strips = text.find("<|im_") != std::string_view::npos || text.find("<|python_tag|>") != std::string_view::npos;
  // The hand-written scanners must split exactly as PCRE2 does.
  static const tok::RegexSplitter gpt2_scanner(tok::kGpt2Pattern), llama3_scanner(tok::kLlama3Pattern);
  static const tok::RegexSplitter gpt2_pcre2(tok::kGpt2Pattern, tok::RegexSplitter::Engine::kPcre2);
  static const tok::RegexSplitter llama3_pcre2(tok::kLlama3Pattern, tok::RegexSplitter::Engine::kPcre2);
  for (auto [scanner, pcre2] : {std::pair{&gpt2_scanner, &gpt2_pcre2}, std::pair{&llama3_scanner, &llama3_pcre2}}) {
    std::vector<tok::Span> a, b;
    scanner->FindAll(text, a);
    pcre2->FindAll(text, b);
    if (a.size() != b.size()) std::abort();
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i].begin != b[i].begin || a[i].end != b[i].end) std::abort();
    }
  }
  static tok::WordCache gpt2_cache, llama3_cache;
  RoundTrip(gpt2, gpt2_cache, text, !strips);
  RoundTrip(llama3, llama3_cache, text, !strips);
  // A cache limited to 256 words is full after a few inputs and stops caching new ones; the ids must not
  // change, nor differ from a cache that has seen nothing yet.
  static tok::WordCache gpt2_small(256);
  tok::WordCache fresh;
  std::vector<uint32_t> plain, small, uncached;
  gpt2.Encode(text, gpt2_cache, plain);
  gpt2.Encode(text, gpt2_small, small);
  gpt2.Encode(text, fresh, uncached);
  if (small != plain || uncached != plain) std::abort();
  return 0;
}
