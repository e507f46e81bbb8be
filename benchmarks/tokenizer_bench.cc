// The tokenizer reference's two hot stages on their own: the pre-tokenizer (PCRE2 JIT over HF's regexes)
// and the BPE merge loop (uncached, per word), plus the whole cached encode for scale. Inputs are the
// committed test corpora and tokenizers (workloads/tokenizer/testdata), so the numbers are reproducible.
#include <deque>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "tokenizer.h"

namespace {

namespace tok = claimbench::tokenizer;

const std::string kTestData = CLAIMBENCH_TOKENIZER_TESTDATA;

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

const tok::Tokenizer& TokenizerFor(int style) {
  static const tok::Tokenizer gpt2 = tok::Tokenizer::FromFile(kTestData + "/gpt2/tokenizer.json");
  static const tok::Tokenizer llama3 = tok::Tokenizer::FromFile(kTestData + "/llama3/tokenizer.json");
  return style == 0 ? gpt2 : llama3;
}

std::vector<std::string> Documents() {
  std::vector<std::string> docs;
  std::istringstream in(ReadText(kTestData + "/corpora/sample.txt") + ReadText(kTestData + "/corpora/adversarial.txt"));
  for (std::string line; std::getline(in, line);) docs.push_back(line);
  return docs;
}

int64_t TotalBytes(const std::vector<std::string>& docs) {
  int64_t bytes = 0;
  for (const std::string& doc : docs) bytes += static_cast<int64_t>(doc.size());
  return bytes;
}

// Arg: 0 = GPT-2's ByteLevel regex, 1 = Llama-3's Split regex.
void BM_PreTokenize(benchmark::State& state) {
  const tok::Tokenizer& tokenizer = TokenizerFor(static_cast<int>(state.range(0)));
  const std::vector<std::string> docs = Documents();
  std::vector<std::string_view> words;
  std::deque<std::string> storage;
  for (auto _ : state) {
    for (const std::string& doc : docs) {
      tokenizer.pre_tokenizer().Split(doc, words, storage);
      benchmark::DoNotOptimize(words.data());
    }
  }
  state.SetBytesProcessed(state.iterations() * TotalBytes(docs));
}
BENCHMARK(BM_PreTokenize)->Arg(0)->Arg(1);

// The merge loop alone: every word of the corpora, none cached.
void BM_MergeLoop(benchmark::State& state) {
  const tok::Tokenizer& tokenizer = TokenizerFor(0);
  std::vector<std::string> words;
  std::vector<std::string_view> pieces;
  std::deque<std::string> storage;
  for (const std::string& doc : Documents()) {
    tokenizer.pre_tokenizer().Split(doc, pieces, storage);
    for (std::string_view piece : pieces) {
      if (piece.size() <= 64) words.emplace_back(piece);
    }
  }
  int64_t bytes = TotalBytes(words);
  std::vector<uint32_t> ids;
  for (auto _ : state) {
    for (const std::string& word : words) {
      ids.clear();
      tokenizer.model().EncodeWord(word, ids);
      benchmark::DoNotOptimize(ids.data());
    }
  }
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_MergeLoop);

// One run of one letter, n bytes: the heap keeps this O(n log n) rather than quadratic.
void BM_MergeLoopLongRun(benchmark::State& state) {
  const tok::Tokenizer& tokenizer = TokenizerFor(0);
  const std::string word(static_cast<size_t>(state.range(0)), 'a');
  std::vector<uint32_t> ids;
  for (auto _ : state) {
    ids.clear();
    tokenizer.model().EncodeWord(word, ids);
    benchmark::DoNotOptimize(ids.data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_MergeLoopLongRun)->RangeMultiplier(8)->Range(1 << 10, 1 << 19)->Complexity(benchmark::oNLogN);

// The whole encode with a warm word cache: what one thread of the CLI does per document.
void BM_EncodeCached(benchmark::State& state) {
  const tok::Tokenizer& tokenizer = TokenizerFor(static_cast<int>(state.range(0)));
  const std::vector<std::string> docs = Documents();
  tok::WordCache cache;
  std::vector<uint32_t> ids;
  for (auto _ : state) {
    for (const std::string& doc : docs) {
      ids.clear();
      tokenizer.Encode(doc, cache, ids);
      benchmark::DoNotOptimize(ids.data());
    }
  }
  state.SetBytesProcessed(state.iterations() * TotalBytes(docs));
}
BENCHMARK(BM_EncodeCached)->Arg(0)->Arg(1);

}  // namespace
