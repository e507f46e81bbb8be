// The benchmark corpora a case can encode: the Debian sources and their checks, the held-out assembly, the
// adversarial and new-code-point corpora, and (on a machine set up as ./claimbench setup does) that the
// real corpora assemble to the sha256 their cases record.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>

#include <fmt/format.h>

#include "adversarial_corpus.h"
#include "case_corpora.h"
#include "claimbench/atomic_file.h"
#include "claimbench/error.h"
#include "claimbench/testing/temp_dir.h"
#include "debian_sources.h"
#include "heldout_corpus.h"
#include "unicode_tables.h"

namespace claimbench::tokenizer_workload {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Lines(const std::string& corpus) {
  std::vector<std::string> lines;
  for (size_t begin = 0; begin < corpus.size();) {
    const size_t end = corpus.find('\n', begin);
    lines.push_back(corpus.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

std::string ErrorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const SetupError& error) {
    return error.what();
  }
  return "(no SetupError)";
}

// A little-endian .mo catalogue: a header entry, then `entries` (id, translation) in order.
std::string MakeMo(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::vector<std::pair<std::string, std::string>> all = {{"", "Content-Type: text/plain; charset=UTF-8\n"}};
  all.insert(all.end(), entries.begin(), entries.end());
  const auto n = static_cast<uint32_t>(all.size());
  std::string mo;
  auto put = [&](uint32_t value) {
    for (int i = 0; i < 4; ++i) mo.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
  };
  const uint32_t originals = 28, translations = originals + 8 * n;
  uint32_t strings = translations + 8 * n;
  put(0x950412de), put(0), put(n), put(originals), put(translations), put(0), put(0);
  std::string blob;
  for (int table = 0; table < 2; ++table) {
    for (const auto& [id, translation] : all) {
      const std::string& text = table == 0 ? id : translation;
      put(static_cast<uint32_t>(text.size()));
      put(strings + static_cast<uint32_t>(blob.size()));
      blob += text + '\0';
    }
  }
  return mo + blob;
}

TEST(HeldOutCorpusTest, ParagraphsAreTrimmedLinesJoinedBetweenBlankLines) {
  EXPECT_THAT(Paragraphs("  one\ntwo  \r\n \t\nthree\n\n\nfour"), ElementsAre("one two", "three", "four"));
  EXPECT_THAT(Paragraphs("\n \n"), ElementsAre());
}

TEST(HeldOutCorpusTest, Utf8CheckRejectsOverlongSurrogatesAndTruncation) {
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE4\xB8"));          // cut short
}

TEST(HeldOutCorpusTest, EachParagraphOnceAndStreamsMixedInProportion) {
  // "en" holds 37 bytes, "de" 17: each next document comes from the stream that has given the smaller share
  // of its bytes, so English and German stay in proportion; the second "shared" is left out.
  const std::vector<SourceStream> streams = {
      {"en", {"aaaa\n\nbbbb\n\ncccc\n\ndddd\n\neeee\n\nffff", "shared"}},
      {"de", {"1111\n\nshared", "2222"}},
  };
  const AssembledCorpus all = AssembleHeldOutCorpus(streams, 1 << 20);
  EXPECT_TRUE(all.exhausted);
  EXPECT_EQ(all.documents, 9) << "'shared' is written once";
  EXPECT_THAT(Lines(all.text),
              ElementsAre("aaaa", "1111", "bbbb", "cccc", "shared", "dddd", "eeee", "ffff", "2222"));
  const AssembledCorpus prefix = AssembleHeldOutCorpus(streams, 9);
  EXPECT_FALSE(prefix.exhausted);
  EXPECT_EQ(prefix.text, "aaaa\n1111\n") << "stops at the first document that reaches the target";
  EXPECT_THAT(ErrorOf([] { AssembleHeldOutCorpus({{"bad", {"ok\n\n\xC3("}}}, 100); }),
              HasSubstr("stream 'bad' is not valid UTF-8"));
}

TEST(DebianSourcesTest, MoCatalogueGivesTranslationsWithoutHeaderAndPluralsApart) {
  const std::string mo = MakeMo({{"cat", "Katze"}, {"one file", std::string("eine Datei\0%d Dateien", 21)}});
  EXPECT_THAT(MoTranslations(mo, "de.mo"), ElementsAre("Katze", "eine Datei", "%d Dateien"));
  EXPECT_THAT(ErrorOf([&] { MoTranslations(mo.substr(0, 40), "cut.mo"); }), HasSubstr("cut.mo is not a complete"));
  EXPECT_THAT(ErrorOf([] { MoTranslations("not a catalogue at all", "x.mo"); }),
              HasSubstr("x.mo is not a little-endian"));
}

TEST(DebianSourcesTest, EveryFileIsCheckedAndAChangedOrMissingOneNamesItsPackage) {
  testing::TempDir dir;
  WriteFileAtomically(dir.path() / "a.txt", "hello\n");
  WriteFileAtomically(dir.path() / "b.mo", MakeMo({{"x", "Hallo"}}));
  const std::string manifest_text = fmt::format(
      "# comment\n{} pkg=1.0 text en {}\n{} other=2:3 mo de {}\n", Sha256Hex("hello\n"),
      (dir.path() / "a.txt").string(),
      Sha256Hex(MakeMo({{"x", "Hallo"}})), (dir.path() / "b.mo").string());
  const auto manifest = dir.path() / "sources.txt";
  WriteFileAtomically(manifest, manifest_text);
  const std::vector<SourceStream> streams = ReadDebianSources(manifest);
  ASSERT_EQ(streams.size(), 2U);
  EXPECT_EQ(streams[0].name, "en");
  EXPECT_THAT(streams[0].texts, ElementsAre("hello\n"));
  EXPECT_THAT(streams[1].texts, ElementsAre("Hallo"));

  WriteFileAtomically(dir.path() / "a.txt", "hello!\n");
  EXPECT_THAT(ErrorOf([&] { ReadDebianSources(manifest); }),
              AllOf(HasSubstr((dir.path() / "a.txt").string() + " (listed in sources.txt) has sha256 " +
                              Sha256Hex("hello!\n")),
                    HasSubstr("Debian 12 package pkg (version 1.0"), HasSubstr("apt-get install pkg")));
  std::filesystem::remove(dir.path() / "a.txt");
  EXPECT_THAT(ErrorOf([&] { ReadDebianSources(manifest); }), HasSubstr("is missing or unreadable"));
  WriteFileAtomically(manifest, "abc pkg text en /x\n");
  EXPECT_THAT(ErrorOf([&] { ReadDebianSources(manifest); }), HasSubstr("sources.txt line 1: expected"));
}

TEST(AdversarialCorpusTest, SameSeedSameBytesWithLongRunsCodeAndEmoji) {
  const std::vector<std::string> committed = {"<|endoftext|>", "don't"};
  const std::vector<SourceStream> code = {{"code", {"def f(x):\n    return x\n\n"}}};
  const std::vector<SourceStream> languages = {{"de", {"ein Satz"}}, {"zh", {"\xE4\xB8\xAD\xE6\x96\x87"}}};
  const std::string corpus = AssembleAdversarialCorpus(committed, code, languages, 7, 2 << 20);
  EXPECT_EQ(corpus, AssembleAdversarialCorpus(committed, code, languages, 7, 2 << 20));
  EXPECT_NE(corpus, AssembleAdversarialCorpus(committed, code, languages, 8, 2 << 20));
  EXPECT_TRUE(IsValidUtf8(corpus));
  EXPECT_GE(corpus.size(), size_t{2} << 20);
  const std::vector<std::string> lines = Lines(corpus);
  EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const std::string& line) {
    return line.find(std::string(40000, 'a')) != std::string::npos;
  })) << "a run of one character tens of kilobytes long";
  EXPECT_NE(corpus.find("    return x"), std::string::npos) << "code keeps its indentation";
  EXPECT_NE(corpus.find("\u200D"), std::string::npos) << "ZWJ sequences";
  EXPECT_NE(corpus.find("<|endoftext|>"), std::string::npos);
  EXPECT_THAT(ErrorOf([&] { AssembleAdversarialCorpus({}, code, languages, 7, 100); }),
              HasSubstr("restore data/ from git"));
}

TEST(AdversarialCorpusTest, NewCodePointCorpusUsesEveryUnicodeVersionFromFifteenToSeventeen) {
  std::set<std::string> versions;
  for (const NewCodePoints& block : NewCodePointBlocks()) {
    EXPECT_LE(block.first, block.last) << block.script;
    EXPECT_GE(block.first, 0x10000U) << block.script << ": every block here lies outside the BMP";
    versions.insert(block.unicode_version);
  }
  EXPECT_THAT(versions, ElementsAre("15.0", "15.1", "16.0", "17.0"));
  const std::string corpus = AssembleUnicodeNewCorpus(3, 64 << 10);
  EXPECT_EQ(corpus, AssembleUnicodeNewCorpus(3, 64 << 10));
  EXPECT_TRUE(IsValidUtf8(corpus));
  // Kirat Rai digit zero (U+16D70, Unicode 16.0) or another from its block appears.
  EXPECT_NE(corpus.find("\xF0\x96\xB5"), std::string::npos);
}

TEST(UnicodeTablesTest, AnImplementationMayDifferOnlyOnVersionsBetweenItsTablesAndHuggingFaces) {
  EXPECT_THAT(VersionsThatMayDiffer("cpp"), ElementsAre("15.0", "15.1", "16.0"));  // PCRE2: Unicode 14
  EXPECT_THAT(VersionsThatMayDiffer("go"), ElementsAre("15.1", "16.0"));           // Go: 15.0
  EXPECT_THAT(VersionsThatMayDiffer("python"), ElementsAre("17.0"));               // regex: 18.0
  EXPECT_THAT(VersionsThatMayDiffer("hf_next"), ElementsAre("17.0"));
  EXPECT_THAT(VersionsThatMayDiffer("rust"), ElementsAre());  // Oniguruma 6.9.10, as HF 0.23
  EXPECT_THAT(VersionsThatMayDiffer("hf"), ElementsAre());
  EXPECT_THAT(VersionsThatMayDiffer("an_unknown_port"), ElementsAre()) << "not listed: HF's ids everywhere";
  // U+11F50 Kawi digit zero (15.0), U+16D70 Kirat Rai digit zero (16.0), U+11DE0 Tolong Siki digit zero (17.0).
  EXPECT_THAT(NewCodePointVersionsIn("a\U00011F50 b \U00016D70\U00011DE0 \u00E9\U0001F600"),
              ElementsAre("15.0", "16.0", "17.0"));
  EXPECT_THAT(NewCodePointVersionsIn("plain caf\u00E9 \U0001F600"), ElementsAre());
}

TEST(UnicodeTablesTest, OnlyDocumentsWithCodePointsBeyondTheTablesMayDiffer) {
  const std::string corpus = "plain\nx\U00016D70y\nz\U00011DE0\n";  // Kirat Rai (16.0), Tolong Siki (17.0)
  const std::string want = "1 2\n3 4\n5 6\n";
  UnicodeCheck check = CheckAgainstHuggingFace("cpp", corpus, want, "1 2\n3 9\n5 6\n");
  EXPECT_EQ(check.error, "");
  EXPECT_EQ(check.differing, 1);
  check = CheckAgainstHuggingFace("cpp", corpus, want, "1 2\n3 4\n5 9\n");
  EXPECT_THAT(check.error, AllOf(HasSubstr("on document 3"), HasSubstr("lets cpp classify otherwise (its allowed "
                                                                       "Unicode versions: 15.0, 15.1, 16.0)")));
  EXPECT_EQ(CheckAgainstHuggingFace("python", corpus, want, "1 2\n3 4\n5 9\n").error, "") << "regex: Unicode 18";
  EXPECT_THAT(CheckAgainstHuggingFace("rust", corpus, want, "1 2\n3 9\n5 6\n").error,
              HasSubstr("allowed Unicode versions: none"));
  EXPECT_THAT(CheckAgainstHuggingFace("cpp", corpus, want, "1 9\n3 4\n5 6\n").error, HasSubstr("on document 1"));
  EXPECT_THAT(CheckAgainstHuggingFace("cpp", corpus, want, "1 2\n3 4\n").error, HasSubstr("expected 3 lines"));
  EXPECT_THAT(CheckAgainstHuggingFace("hf", corpus, want, "1 2\n3 4\n5 6").error, HasSubstr("expected 3 lines"));
}

// On a machine set up by ./claimbench setup (git, python3 and build-essential from Debian 12), the real
// corpora come out as the cases record; a change to the assembling code without a new sha256 fails here.
TEST(CaseCorporaTest, RealCorporaAssembleToTheirRecordedSha256) {
  testing::TempDir dir;
  const std::filesystem::path data = TOKENIZER_DATA_DIR;
  for (const auto& [kind, bytes] : std::vector<std::pair<std::string, int64_t>>{
           {"heldout", 8 << 20}, {"adversarial", 4 << 20}, {"unicode_new", 256 << 10}}) {
    const std::string want = KnownCorpusSha256(kind, bytes, 20261121);
    EXPECT_NO_THROW(WriteCaseCorpus(kind, data, 20261121, bytes, want, dir.path() / "corpus.txt")) << kind;
    EXPECT_THAT(ErrorOf([&] { WriteCaseCorpus(kind, data, 20261121, bytes, "0", dir.path() / "x.txt"); }),
                HasSubstr("record the new sha256 in driver/case_corpora.cc"));
  }
}

}  // namespace
}  // namespace claimbench::tokenizer_workload
