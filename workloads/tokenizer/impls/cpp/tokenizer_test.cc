// The C++ reference against HF's own ids: every committed corpus, both tokenizer styles, both merge forms;
// and the loader's errors on files it must refuse.
#include <algorithm>
#include <atomic>
#include <deque>
#include <fstream>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "bpe_merge_loops.h"
#include "byte_level.h"
#include "pattern_scanner.h"
#include "regex_splitter.h"
#include "tokenizer.h"

namespace claimbench::tokenizer {
namespace {

using ::testing::HasSubstr;

const std::string kTestData = CLAIMBENCH_TOKENIZER_TESTDATA;

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::string text = ReadText(path);
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string Join(const std::vector<uint32_t>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ' ';
    out += std::to_string(ids[i]);
  }
  return out;
}

std::vector<uint32_t> Split(const std::string& line) {
  std::vector<uint32_t> ids;
  std::istringstream in(line);
  uint32_t id;
  while (in >> id) ids.push_back(id);
  return ids;
}

struct GoldenCase {
  std::string style;
  std::string corpus;
};

class GoldenTest : public ::testing::TestWithParam<GoldenCase> {};

void ExpectGoldens(const Tokenizer& tokenizer, const GoldenCase& param) {
  std::vector<std::string> docs = ReadLines(kTestData + "/corpora/" + param.corpus + ".txt");
  std::vector<std::string> want_ids = ReadLines(kTestData + "/" + param.style + "/" + param.corpus + ".ids");
  std::vector<std::string> want_text = ReadLines(kTestData + "/" + param.style + "/" + param.corpus + ".decoded");
  ASSERT_EQ(docs.size(), want_ids.size());
  ASSERT_EQ(docs.size(), want_text.size());
  WordCache cache;
  int failures = 0;
  for (size_t i = 0; i < docs.size() && failures < 5; ++i) {
    std::vector<uint32_t> ids;
    tokenizer.Encode(docs[i], cache, ids);
    if (Join(ids) != want_ids[i]) {
      ADD_FAILURE() << param.style << "/" << param.corpus << " line " << i + 1 << ": '" << docs[i].substr(0, 60)
                    << "'\n  want " << want_ids[i].substr(0, 200) << "\n  got  " << Join(ids).substr(0, 200);
      ++failures;
    }
    std::string decoded = tokenizer.Decode(Split(want_ids[i]));
    if (decoded != want_text[i]) {
      ADD_FAILURE() << param.style << "/" << param.corpus << " line " << i + 1 << ": decode differs from HF";
      ++failures;
    }
  }
}

TEST_P(GoldenTest, IdsAndDecodingEqualHuggingFace) {
  Tokenizer tokenizer = Tokenizer::FromFile(kTestData + "/" + GetParam().style + "/tokenizer.json");
  ExpectGoldens(tokenizer, GetParam());
}

TEST_P(GoldenTest, LegacyStringMergesGiveTheSameIds) {
  nlohmann::json json = nlohmann::json::parse(ReadText(kTestData + "/" + GetParam().style + "/tokenizer.json"));
  nlohmann::json merges = nlohmann::json::array();
  for (const auto& pair : json["model"]["merges"]) {
    merges.push_back(pair[0].get<std::string>() + " " + pair[1].get<std::string>());
  }
  json["model"]["merges"] = merges;
  ExpectGoldens(Tokenizer::FromJson(json.dump()), GetParam());
}

TEST_P(GoldenTest, RoundTripReproducesTheDocument) {
  // decode(encode(x)) == x, except where lstrip/rstrip tokens swallow whitespace (HF's behaviour too).
  Tokenizer tokenizer = Tokenizer::FromFile(kTestData + "/" + GetParam().style + "/tokenizer.json");
  WordCache cache;
  for (const std::string& doc : ReadLines(kTestData + "/corpora/" + GetParam().corpus + ".txt")) {
    if (doc.find("<|im_") != std::string::npos || doc.find("<|python_tag|>") != std::string::npos) continue;
    std::vector<uint32_t> ids;
    tokenizer.Encode(doc, cache, ids);
    ASSERT_EQ(tokenizer.Decode(ids), doc);
  }
}

TEST_P(GoldenTest, ThreadsSharingACacheGiveHuggingFaceIds) {
  // Two threads on one cache, one going backwards so both learn words and both reuse the other's, while the
  // table grows under them; then a third pass that finds every word cached. Then the same with a cache
  // that stops taking words part way: the words it does not take are merged again, to the same ids.
  Tokenizer tokenizer = Tokenizer::FromFile(kTestData + "/" + GetParam().style + "/tokenizer.json");
  std::vector<std::string> docs = ReadLines(kTestData + "/corpora/" + GetParam().corpus + ".txt");
  std::vector<std::string> want = ReadLines(kTestData + "/" + GetParam().style + "/" + GetParam().corpus + ".ids");
  ASSERT_EQ(docs.size(), want.size());
  for (size_t max_entries : {size_t{1} << 20, size_t{300}}) {
    WordCache cache(max_entries);
    std::atomic<int> wrong{0};
    auto encode_all = [&](bool backwards) {
      for (size_t k = 0; k < docs.size(); ++k) {
        const size_t i = backwards ? docs.size() - 1 - k : k;
        std::vector<uint32_t> ids;
        tokenizer.Encode(docs[i], cache, ids);
        if (Join(ids) != want[i]) wrong.fetch_add(1);
      }
    };
    std::thread forwards(encode_all, false), backwards(encode_all, true);
    forwards.join();
    backwards.join();
    encode_all(false);
    EXPECT_EQ(wrong.load(), 0) << "documents whose ids differ from HF's, at most " << max_entries << " words cached";
    EXPECT_LE(cache.size(), max_entries);
  }
}

INSTANTIATE_TEST_SUITE_P(AllCorpora, GoldenTest,
                         ::testing::Values(GoldenCase{"gpt2", "adversarial"}, GoldenCase{"gpt2", "sample"},
                                           GoldenCase{"llama3", "adversarial"}, GoldenCase{"llama3", "sample"}),
                         [](const auto& info) { return info.param.style + "_" + info.param.corpus; });

TEST(TokenizerTest, LongRunsOfOneCharacterEncode) {
  // The merge loop is O(n log n): a megabyte of one letter must finish (and equal its halves' structure).
  Tokenizer tokenizer = Tokenizer::FromFile(kTestData + "/gpt2/tokenizer.json");
  WordCache cache;
  std::vector<uint32_t> ids;
  tokenizer.Encode(std::string(1 << 20, 'a'), cache, ids);
  EXPECT_FALSE(ids.empty());
  EXPECT_EQ(tokenizer.Decode(ids), std::string(1 << 20, 'a'));
}

// The words the merge loops are compared on: every word of the test corpora, random strings over letters
// that merge often (so that many ranks meet in one word), and runs of one character or one pair, up to a few
// thousand bytes, of the kinds the adversarial corpora have.
std::vector<std::string> MergeLoopWords(const Tokenizer& tokenizer) {
  std::vector<std::string> words;
  std::vector<std::string_view> pieces;
  std::deque<std::string> storage;
  for (const char* corpus : {"adversarial", "sample"}) {
    for (const std::string& doc : ReadLines(kTestData + "/corpora/" + corpus + ".txt")) {
      tokenizer.pre_tokenizer().Split(doc, pieces, storage);
      words.insert(words.end(), pieces.begin(), pieces.end());
    }
  }
  const std::vector<std::string> alphabet = {"a", "e", "t", "h", "n", "s", " ", "in", "th", "\xE4\xB8\xAD", "0"};
  uint64_t state = 7;
  for (int i = 0; i < 3000; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    size_t length = (state >> 33) % 120;
    std::string word;
    for (size_t j = 0; j < length; ++j) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      word += alphabet[(state >> 33) % alphabet.size()];
    }
    words.push_back(std::move(word));
  }
  for (const char* unit : {"a", "e", " ", "0", ".", "=", "-", "\t", "\xE4\xB8\xAD", "\xF0\x9F\x98\x80", "ab", "\xC3\xA9"}) {
    for (size_t count : {47, 48, 49, 50, 63, 64, 65, 100, 127, 128, 129, 257, 1000, 3001}) {
      std::string word;
      for (size_t k = 0; k < count; ++k) word += unit;
      words.push_back(std::move(word));
    }
  }
  // Runs with something before and after them (as the pre-tokenizer leaves them: " aaaa", "x----y"), every
  // length up to 200: the passes merge a whole level at once, and the ends are where that could go wrong.
  for (const char* unit : {" ", "-", "a", "\xC3\xA9"}) {
    for (size_t count = 40; count <= 200; ++count) {
      std::string run;
      for (size_t k = 0; k < count; ++k) run += unit;
      words.push_back(" " + run);
      words.push_back("x" + run + "y");
    }
  }
  return words;
}

TEST(MergeLoopsTest, ScanRankQueueAndPassesGiveHeapsIds) {
  // HF's heap (MergeByHeap) is the reference; the scan (short words), the rank queue and the passes (long
  // words) must give its ids on every word, whatever its length.
  for (const char* style : {"gpt2", "llama3"}) {
    Tokenizer tokenizer = Tokenizer::FromFile(kTestData + "/" + style + "/tokenizer.json");
    const BpeModel& model = tokenizer.model();
    uint32_t rank_limit = 0;
    for (const auto& [pair, merge] : model.merges()) rank_limit = std::max(rank_limit, merge.rank + 1);
    const std::vector<bool> batchable = BatchableRanks(model.merges(), rank_limit);
    int differences = 0;
    for (const std::string& word : MergeLoopWords(tokenizer)) {
      std::vector<uint32_t> symbols;
      for (char byte : word) model.EncodeWord(std::string(1, byte), symbols);  // one byte: no merge
      std::vector<uint32_t> heap = symbols, scan = symbols, queue = symbols, passes = symbols;
      MergeByHeap(model.merges(), heap);
      MergeByScan(model.merges(), scan);
      MergeByRankQueue(model.merges(), rank_limit, queue);
      MergeByPasses(model.merges(), batchable, rank_limit, passes);
      if ((scan != heap || queue != heap || passes != heap) && ++differences <= 3) {
        ADD_FAILURE() << style << " word '" << word.substr(0, 40) << "' (" << word.size() << " bytes): heap "
                      << Join(heap).substr(0, 80) << "\n  scan  " << Join(scan).substr(0, 80) << "\n  queue "
                      << Join(queue).substr(0, 80) << "\n  passes " << Join(passes).substr(0, 80);
      }
    }
    EXPECT_EQ(differences, 0) << style;
  }
}

TEST(MergeLoopsTest, MergesOutOfTrainingOrderGiveHeapsIdsToo) {
  // A file need not list merges in the order training made them: a product may be a side of a merge with a
  // lower rank, and then applying a merge at every occurrence in one pass would be wrong (BatchableRanks
  // says which merges may be). Random vocabularies over "a", "b", "c" with their merges shuffled, random
  // words up to 300 symbols: every loop must give the heap's ids.
  uint64_t state = 20261208;
  auto next = [&](uint64_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % bound;
  };
  int differences = 0;
  size_t unbatchable = 0;  // ranks whose product a lower-ranked merge uses: the case this test is for
  for (int file = 0; file < 20; ++file) {
    std::vector<uint32_t> lengths = {1, 1, 1};  // token id -> its length, ids 0..2 are a, b, c
    MergeTable merges;
    std::vector<std::pair<uint32_t, uint32_t>> pairs;
    while (pairs.size() < 40) {
      const auto left = static_cast<uint32_t>(next(lengths.size()));
      const auto right = static_cast<uint32_t>(next(lengths.size()));
      if (merges.contains(PairKey(left, right))) continue;
      merges[PairKey(left, right)] = {0, static_cast<uint32_t>(lengths.size())};
      lengths.push_back(lengths[left] + lengths[right]);
      pairs.emplace_back(left, right);
    }
    for (size_t i = pairs.size(); i > 1; --i) std::swap(pairs[i - 1], pairs[next(i)]);  // shuffle the ranks
    for (uint32_t rank = 0; rank < pairs.size(); ++rank) {
      merges[PairKey(pairs[rank].first, pairs[rank].second)].rank = rank;
    }
    const auto rank_limit = static_cast<uint32_t>(pairs.size());
    const std::vector<bool> batchable = BatchableRanks(merges, rank_limit);
    unbatchable += static_cast<size_t>(std::count(batchable.begin(), batchable.end(), false));
    for (int word = 0; word < 200; ++word) {
      std::vector<uint32_t> symbols(1 + next(300));
      for (uint32_t& symbol : symbols) symbol = static_cast<uint32_t>(next(next(4) == 0 ? 3 : 2));  // runs of a, b
      std::vector<uint32_t> heap = symbols, scan = symbols, queue = symbols, passes = symbols;
      MergeByHeap(merges, heap);
      MergeByRankQueue(merges, rank_limit, queue);
      MergeByPasses(merges, batchable, rank_limit, passes);
      if (symbols.size() <= 64) MergeByScan(merges, scan);
      const bool scan_differs = symbols.size() <= 64 && scan != heap;
      if ((scan_differs || queue != heap || passes != heap) && ++differences <= 3) {
        ADD_FAILURE() << "file " << file << ", " << symbols.size() << " symbols: heap " << Join(heap).substr(0, 80)
                      << "\n  queue  " << Join(queue).substr(0, 80) << "\n  passes " << Join(passes).substr(0, 80);
      }
    }
  }
  EXPECT_EQ(differences, 0);
  EXPECT_GT(unbatchable, 100u);
}

TEST(MergeLoopsTest, TwoStringsWithOneIdGiveHfsHeapOrder) {
  // "ab" and "abc" share id 5. In "abcd", b+c merges first; HF's stale entry for (a, b) at rank 1 then
  // finds (a, bc), whose merge also makes id 5, and merges it before bc+d (rank 2): HF gives [5, d]
  // where rank order alone gives [a, bcd]. Only the heap reproduces that, so such a file takes it for
  // every word, short or long (bpe_model.h).
  auto json = nlohmann::json::parse(R"({
    "normalizer": null, "decoder": {"type": "ByteLevel"},
    "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": false},
    "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "c": 2, "d": 3, "bc": 4, "ab": 5, "abc": 5, "bcd": 6},
              "merges": [["b", "c"], ["a", "b"], ["bc", "d"], ["a", "bc"]]}})");
  Tokenizer tokenizer = Tokenizer::FromJson(json.dump());
  WordCache cache;
  std::vector<uint32_t> ids;
  tokenizer.Encode("abcd", cache, ids);
  EXPECT_EQ(Join(ids), "5 3");
  std::string long_word;
  for (int i = 0; i < 30; ++i) long_word += "abcd";
  ids.clear();
  tokenizer.Encode(long_word, cache, ids);
  std::string want;
  for (int i = 0; i < 30; ++i) want += i == 0 ? "5 3" : " 5 3";
  EXPECT_EQ(Join(ids), want);
}

TEST(WordCacheTest, FindsWhatWasInsertedGrowsAndStopsAtItsLimit) {
  WordCache cache(5000);
  const std::vector<uint32_t> ids = {7, 8, 9};
  EXPECT_TRUE(cache.Find("word").empty());
  cache.Insert("word", ids);
  cache.Insert("word", std::vector<uint32_t>{1});  // already cached: the first ids stay
  std::span<const uint32_t> found = cache.Find("word");
  EXPECT_THAT(std::vector<uint32_t>(found.begin(), found.end()), ::testing::ElementsAre(7, 8, 9));
  const std::string long_word(WordCache::kMaxWordBytes + 1, 'x');
  cache.Insert(long_word, ids);
  EXPECT_TRUE(cache.Find(long_word).empty());
  // Past the first table's 4,096 slots (it doubles at three quarters full) and up to the limit: the cache takes
  // 4,999 more words, keeps finding each with its own ids, and takes no more.
  for (uint32_t i = 0; i < 8000; ++i) cache.Insert(std::to_string(i), std::vector<uint32_t>{i, i + 1});
  EXPECT_EQ(cache.size(), 5000u);
  size_t cached = 0;
  for (uint32_t i = 0; i < 8000; ++i) {
    std::span<const uint32_t> got = cache.Find(std::to_string(i));
    if (got.empty()) continue;
    ++cached;
    EXPECT_TRUE(got.size() == 2 && got[0] == i && got[1] == i + 1) << i;
  }
  EXPECT_EQ(cached, 4999u);
  EXPECT_FALSE(cache.Find("word").empty());
}

TEST(WordCacheTest, WordsOfEveryLengthAndEncodingsOfEverySizeComeBackExactly) {
  // A word of up to 16 bytes is its own key (its first and last 8 bytes, overlapping from 9 to 15), a
  // longer one its hash and its bytes; up to three ids sit in the slot, more in the arena. Words that share
  // their ends, their first bytes or their length must not be mistaken for one another.
  WordCache cache;
  std::vector<std::string> words;
  for (size_t size = 1; size <= WordCache::kMaxWordBytes; ++size) {
    std::string base(size, 'a');
    words.push_back(base);
    for (size_t at : {size / 2, size - 1}) {
      std::string changed = base;
      changed[at] = 'b';
      words.push_back(changed);
    }
  }
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  auto ids_of = [](size_t index) { return std::vector<uint32_t>(1 + index % 6, static_cast<uint32_t>(index)); };
  for (size_t i = 0; i < words.size(); i += 2) cache.Insert(words[i], ids_of(i));  // every other word
  for (size_t i = 0; i < words.size(); ++i) {
    std::span<const uint32_t> found = cache.Find(words[i]);
    if (i % 2 == 1) {
      EXPECT_TRUE(found.empty()) << words[i];
      continue;
    }
    EXPECT_EQ(std::vector<uint32_t>(found.begin(), found.end()), ids_of(i)) << words[i];
  }
}

TEST(WordCacheTest, ThreadsInsertingTheSameWordsWhileItGrowsKeepOneRecordEach) {
  // Four threads look up and insert the same 20,000 words at once, each with ids naming the word, so the
  // table doubles several times under readers; every lookup must give exactly that word's ids (a torn or
  // mixed-up record, or a slot lost in a copy, would not).
  WordCache cache;
  constexpr uint32_t kWords = 20000;
  std::atomic<int> wrong{0};
  auto work = [&](uint32_t offset) {
    for (uint32_t k = 0; k < kWords; ++k) {
      uint32_t i = (k + offset) % kWords;
      std::string word = std::to_string(i) + "th word";
      std::span<const uint32_t> found = cache.Find(word);
      if (found.empty()) {
        std::vector<uint32_t> ids(1 + i % 5, i);
        cache.Insert(word, ids);
        found = cache.Find(word);
      }
      if (found.size() != 1 + i % 5 || found[0] != i || found.back() != i) wrong.fetch_add(1);
    }
  };
  std::vector<std::thread> threads;
  for (uint32_t t = 0; t < 4; ++t) threads.emplace_back(work, t * 997);
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(cache.size(), kWords);
}

nlohmann::json MinimalTokenizer() {
  return nlohmann::json::parse(R"({
    "version": "1.0", "added_tokens": [], "normalizer": null,
    "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
    "post_processor": null, "decoder": {"type": "ByteLevel"},
    "model": {"type": "BPE", "dropout": null, "unk_token": null, "vocab": {"a": 0, "b": 1, "ab": 2},
              "merges": [["a", "b"]]}})");
}

std::string LoadError(const nlohmann::json& json) {
  try {
    Tokenizer::FromJson(json.dump());
  } catch (const TokenizerError& error) {
    return error.what();
  }
  return "loaded without error";
}

TEST(TokenizerLoadTest, MinimalFileEncodes) {
  Tokenizer tokenizer = Tokenizer::FromJson(MinimalTokenizer().dump());
  WordCache cache;
  std::vector<uint32_t> ids;
  tokenizer.Encode("abab a", cache, ids);
  EXPECT_EQ(Join(ids), "2 2 0");  // the space has no token and no unk: dropped, as HF does
}

TEST(AddedVocabularyTest, FindsTokensWhateverTheirFirstBytes) {
  // Up to four distinct first bytes are found with memchr, more by a table: both must find every token,
  // leftmost first, including two next to each other and one at each end.
  const std::vector<std::string> contents = {"<x>", "[y]", "{z}", "(w)", "|v|"};
  for (size_t count : {size_t{2}, size_t{4}, size_t{5}}) {
    auto json = MinimalTokenizer();
    json["added_tokens"] = nlohmann::json::array();
    for (size_t i = 0; i < count; ++i) {
      json["added_tokens"].push_back({{"id", 10 + i}, {"content", contents[i]}, {"special", true}});
    }
    Tokenizer tokenizer = Tokenizer::FromJson(json.dump());
    WordCache cache;
    std::vector<uint32_t> ids;
    tokenizer.Encode("<x>a<x>b[y][y]ab{z}(w)|v|", cache, ids);
    // Tokens beyond `count` are plain text whose bytes have no token: dropped, as HF does.
    std::string want = "10 0 10 1 11 11 2";
    for (size_t i = 2; i < 5; ++i) want += i < count ? " " + std::to_string(10 + i) : "";
    EXPECT_EQ(Join(ids), want) << count << " tokens";
  }
}

TEST(TokenizerLoadTest, RefusesWhatItCannotReproduce) {
  EXPECT_THAT(LoadError(nlohmann::json("not an object")), HasSubstr("top level"));
  auto json = MinimalTokenizer();
  json["model"]["type"] = "WordPiece";
  EXPECT_THAT(LoadError(json), HasSubstr("model.type 'WordPiece' is not supported"));
  json = MinimalTokenizer();
  json["model"].erase("vocab");
  EXPECT_THAT(LoadError(json), HasSubstr("'vocab'"));
  json = MinimalTokenizer();
  json["model"]["merges"] = nlohmann::json::array({"a c"});
  EXPECT_THAT(LoadError(json), HasSubstr("not in model.vocab"));
  json = MinimalTokenizer();
  json["model"]["merges"] = nlohmann::json::array({"ab"});
  EXPECT_THAT(LoadError(json), HasSubstr("two tokens"));
  json = MinimalTokenizer();
  json["model"]["dropout"] = 0.1;
  EXPECT_THAT(LoadError(json), HasSubstr("dropout"));
  json = MinimalTokenizer();
  json["normalizer"] = {{"type", "NFC"}};
  EXPECT_THAT(LoadError(json), HasSubstr("normalizer"));
  json = MinimalTokenizer();
  json["pre_tokenizer"] = {{"type", "Whitespace"}};
  EXPECT_THAT(LoadError(json), HasSubstr("'Whitespace' is not supported"));
  json = MinimalTokenizer();
  json["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"Regex", "(unclosed"}}}, {"behavior", "Isolated"}};
  EXPECT_THAT(LoadError(json), HasSubstr("does not compile"));
  json = MinimalTokenizer();
  json["model"]["vocab"]["a"] = -1;
  EXPECT_THAT(LoadError(json), HasSubstr("must be an id"));
  json = MinimalTokenizer();
  json["added_tokens"] = nlohmann::json::array({{{"id", 3}}});
  EXPECT_THAT(LoadError(json), HasSubstr("'content'"));
  EXPECT_THROW(Tokenizer::FromJson("{\"model\": "), TokenizerError);
  EXPECT_THROW(Tokenizer::FromFile("/nonexistent/tokenizer.json"), TokenizerError);
}

// The hand-written scanners must give exactly PCRE2's matches for the same pattern.
void ExpectScannerEqualsPcre2(std::string_view pattern, const std::vector<std::string>& texts) {
  RegexSplitter scanner(pattern);
  RegexSplitter pcre2(pattern, RegexSplitter::Engine::kPcre2);
  ASSERT_TRUE(scanner.uses_scanner());
  ASSERT_FALSE(pcre2.uses_scanner());
  std::vector<Span> want, got;
  for (const std::string& text : texts) {
    want.clear();
    got.clear();
    pcre2.FindAll(text, want);
    scanner.FindAll(text, got);
    auto show = [&](const std::vector<Span>& spans) {
      std::string shown;
      for (const Span& span : spans) shown.append("[").append(text, span.begin, span.end - span.begin).append("]");
      return shown;
    };
    std::string want_text = show(want), got_text = show(got);
    ASSERT_EQ(got_text, want_text) << "text: '" << text << "'";
  }
}

std::vector<std::string> ScannerTexts() {
  std::vector<std::string> texts;
  for (const char* corpus : {"adversarial", "sample"}) {
    for (std::string& line : ReadLines(kTestData + "/corpora/" + corpus + ".txt")) texts.push_back(std::move(line));
  }
  // Random strings over the characters where the two patterns' alternatives meet, newlines included
  // (a Split step can see them even though the CLI's documents cannot).
  const std::vector<std::string> alphabet = {" ", " ", "\t", "\r", "\n", "a", "Z", "s", "S", "t", "r", "e", "v", "l",
                                             "L", "m", "d", "D", "'", "'", "1", "23", "!", "?", "\xC2\xA0",
                                             "\xC2\x85", "\xC5\xBF", "\xC3\xA9", "\xCC\x81", "\xD9\xA3",
                                             "\xE4\xB8\xAD", "\xE2\x80\xA8", "\xE3\x80\x80", "\xF0\x9F\x98\x80"};
  uint64_t state = 12345;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    int length = static_cast<int>((state >> 33) % 12);
    for (int j = 0; j < length; ++j) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      text += alphabet[(state >> 33) % alphabet.size()];
    }
    texts.push_back(std::move(text));
  }
  return texts;
}

TEST(PatternScannerTest, Gpt2ScannerEqualsPcre2) { ExpectScannerEqualsPcre2(kGpt2Pattern, ScannerTexts()); }
TEST(PatternScannerTest, Llama3ScannerEqualsPcre2) { ExpectScannerEqualsPcre2(kLlama3Pattern, ScannerTexts()); }

TEST(ByteLevelTest, Utf8Validation) {
  EXPECT_EQ(ValidUtf8Prefix("abc\xC3\xA9"), 5u);
  EXPECT_EQ(ValidUtf8Prefix("ab\xC3"), 2u);
  EXPECT_EQ(ValidUtf8Prefix("ab\xED\xA0\x80"), 2u);   // a surrogate
  EXPECT_EQ(ValidUtf8Prefix("\xC0\xAF"), 0u);         // overlong
  EXPECT_EQ(Utf8Lossy("a\xF0\x9F\x98" "b"), "a\xEF\xBF\xBD" "b");
}

}  // namespace
}  // namespace claimbench::tokenizer
