#include "tokenizer_workload.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "case_corpora.h"
#include "claimbench/atomic_file.h"
#include "claimbench/case_parameters.h"
#include "claimbench/error.h"
#include "claimbench/file_contents.h"
#include "claimbench/implementation.h"
#include "expected_ids.h"
#include "unicode_tables.h"

namespace claimbench::tokenizer_workload {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

struct ProfileSizes {
  int64_t corpus_bytes;
  int64_t latency_corpus_bytes;
  int64_t heldout_bytes;      // 0: no held-out case in this profile
  int64_t adversarial_bytes;  // 0: no adversarial or new-code-point cases in this profile
  int64_t unicode_new_bytes;
  int max_repetitions;
  double budget_s;
  int timeout_s;
};

// Quick keeps every peer (plain Python included) to about two and a half minutes on two cores; standard and
// full give the peers (about 1 MB/s each) enough budget for five repetitions of the bigger corpora.
// The held-out corpus holds about 6.1 MB in all (heldout_corpus.h): standard and full both take all of it.
ProfileSizes SizesFor(std::string_view profile) {
  if (profile == "quick") return {1 << 20, 256 << 10, 0, 0, 0, 10, 30, 120};
  if (profile == "standard") return {8 << 20, 1 << 20, 8 << 20, 4 << 20, 256 << 10, 20, 240, 600};
  if (profile == "full") return {64 << 20, 4 << 20, 64 << 20, 32 << 20, 1 << 20, 30, 1200, 3600};
  throw SetupError(fmt::format("unknown profile '{}'; choose quick, standard or full", profile));
}

// The number of documents (lines) in one output.
size_t CountLines(std::string_view ids) {
  const bool unterminated = !ids.empty() && ids.back() != '\n';
  return static_cast<size_t>(std::count(ids.begin(), ids.end(), '\n')) + (unterminated ? 1 : 0);
}

// A case's parameters, read once. `corpus` is which benchmark corpus (benchmark_corpus.h, heldout_corpus.h,
// adversarial_corpus.h); every one but `seeded` has the sha256 it must assemble to, so that a corpus that
// came out different on some machine stops the case instead of being measured.
struct TokenizerSettings {
  std::string style;
  std::string corpus;
  int64_t corpus_bytes = 0;
  uint64_t seed = 0;
  int64_t threads = 1;
  bool latency = false;
  std::string corpus_sha256;  // empty for `seeded`

  static TokenizerSettings From(const CaseSpec& spec) {
    CaseParameters params(spec);
    TokenizerSettings settings{params.Choice("style", {"gpt2", "llama3"}),
                               spec.parameters.contains("corpus")
                                   ? params.Choice("corpus", {"seeded", "heldout", "adversarial", "unicode_new"})
                                   : "seeded",
                               params.Int("corpus_bytes", 1, int64_t{1} << 34),
                               static_cast<uint64_t>(params.Int("seed", 0, INT64_MAX)),
                               params.Int("threads", 1, 1024),
                               params.Int("latency", 0, 1) == 1,
                               ""};
    if (settings.corpus != "seeded") settings.corpus_sha256 = params.String("corpus_sha256");
    return settings;
  }
};

// Where a corpus's expected ids come from: "agreement" (the C++ reference and the Python port agreeing,
// expected_ids.h), or "hf" for the new-code-point corpus, where they may not agree and need not: the ids
// are defined as Hugging Face's (SPEC.md), and each implementation's Unicode tables decide whether it gives
// them there, so the hf peer's own ids are the expected ones.
std::string ExpectedIdsSource(const TokenizerSettings& settings) {
  return settings.corpus == "unicode_new" ? "hf" : "agreement";
}

// Where one case's files are: `input/` (the only folder an implementation is pointed at: the tokenizer, the
// benchmark corpus, the committed corpora for the golden check) and `answers/` (the expected ids, which
// no argument points into). Shared by every case with the same corpus.
struct CorpusDirs {
  fs::path input;
  fs::path answers;
};

// One prepared case: the corpus and tokenizer to encode, the ids they must give (held in memory), and the
// committed goldens every implementation must reproduce before it is measured.
class TokenizerCase final : public PreparedCase {
 public:
  TokenizerCase(CorpusDirs dirs, fs::path log_dir, std::string expected, std::string golden_ids,
                std::string golden_source, ProjectPaths paths, std::vector<Calibration> calibrations)
      : calibrations_(std::move(calibrations)),
        dirs_(std::move(dirs)),
        log_dir_(std::move(log_dir)),
        expected_(std::move(expected)),
        golden_ids_(std::move(golden_ids)),
        golden_source_(std::move(golden_source)),
        paths_(std::move(paths)),
        corpus_bytes_(static_cast<double>(fs::file_size(dirs_.input / "corpus.txt"))),
        documents_(CountLines(expected_)) {}

  std::vector<Calibration> Calibrations() const override { return calibrations_; }

  // Untimed, once per implementation and thread count: the implementation must give Hugging Face's
  // committed ids for the committed corpora (data/) before its time on the benchmark corpus counts, so the
  // hf peer is checked against HF's own goldens and not only against the ids two other implementations
  // agree on. One that does not has every repetition of the case invalid, with the first difference.
  Verdict BeforeRepetition(const CaseSpec& spec, const RunContext& context) override {
    const std::string key = fmt::format("{} threads={}", context.implementation->name,
                                        TokenizerSettings::From(spec).threads);
    auto [checked, first_time] = golden_checks_.try_emplace(key);
    if (first_time) checked->second = CheckGoldens(spec, context);
    return checked->second;
  }

  std::vector<std::string> Arguments(const CaseSpec& spec, const RunContext& context) override {
    return EncodeArguments(spec, dirs_.input / "corpus.txt", context.scratch_dir);
  }

  Verdict Verify(const CaseSpec& spec, const RunContext& context, std::map<std::string, double>& metrics) override {
    std::string got = ReadWholeFile(context.stdout_path);
    if (TokenizerSettings::From(spec).corpus == "unicode_new") {
      const UnicodeCheck check = CheckAgainstHuggingFace(context.implementation->name,
                                                         ReadWholeFile(dirs_.input / "corpus.txt"), expected_, got);
      if (!check.error.empty()) return Verdict::Invalid(check.error);
      metrics["docs_differing_from_hf"] = static_cast<double>(check.differing);
    } else if (got != expected_) {
      return Verdict::Invalid("ids differ from those the C++ reference and the Python port agree on: " +
                              FirstDifference(expected_, got));
    }
    if (auto timed = metrics.find("timed_ns"); timed != metrics.end() && timed->second > 0) {
      metrics["bytes_per_s"] = corpus_bytes_ * 1e9 / timed->second;
      metrics["ns_per_byte"] = timed->second / corpus_bytes_;
    }
    if (!TokenizerSettings::From(spec).latency) return Verdict::Ok();
    std::vector<double> latencies;
    const std::optional<std::string> written = ReadFileIfPresent(context.scratch_dir / "latency.txt");
    if (!written) return Verdict::Invalid("wrote no --latency-out file");
    std::istringstream in(*written);
    for (double ns; in >> ns;) latencies.push_back(ns);
    if (latencies.size() != documents_) {
      return Verdict::Invalid(fmt::format("--latency-out has {} values for {} documents", latencies.size(), documents_));
    }
    std::sort(latencies.begin(), latencies.end());
    // Nearest-rank percentiles.
    auto percentile = [&](double p) {
      size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(latencies.size())));
      return latencies[std::clamp<size_t>(rank, 1, latencies.size()) - 1];
    };
    metrics["doc_latency_p50_ns"] = percentile(50);
    metrics["doc_latency_p99_ns"] = percentile(99);
    return Verdict::Ok();
  }

 private:
  // The case's command line for `corpus`, writing any --latency-out file to `out_dir`.
  std::vector<std::string> EncodeArguments(const CaseSpec& spec, const fs::path& corpus,
                                           const fs::path& out_dir) const {
    const TokenizerSettings settings = TokenizerSettings::From(spec);
    std::vector<std::string> args = {"encode", "--tokenizer", (dirs_.input / "tokenizer.json").string(), "--input",
                                     corpus.string(), "--threads", std::to_string(settings.threads)};
    if (settings.latency) args.insert(args.end(), {"--latency-out", (out_dir / "latency.txt").string()});
    return args;
  }

  // Runs the implementation on the committed corpora. Its --latency-out file goes to a folder of its own,
  // removed after, so nothing of it is left for the repetition's checks; a failed run's log stays in the
  // case's cache folder.
  Verdict CheckGoldens(const CaseSpec& spec, const RunContext& context) const {
    const fs::path out_dir = context.scratch_dir / "golden-check";
    fs::create_directories(out_dir);
    const EncodeRun run = RunEncoder(*context.implementation, paths_,
                                     EncodeArguments(spec, dirs_.input / "goldens.txt", out_dir), log_dir_,
                                     fmt::format("golden-check-{}", context.implementation->name),
                                     std::chrono::seconds(600));
    fs::remove_all(out_dir);
    if (!run.ok) {
      return Verdict::Invalid("could not encode the committed corpora for the golden check: " + run.error);
    }
    if (run.ids != golden_ids_) {
      return Verdict::Invalid(fmt::format("does not reproduce Hugging Face's committed ids for the committed corpora "
                                          "({}): {}",
                                          golden_source_, FirstDifference(golden_ids_, run.ids)));
    }
    return Verdict::Ok();
  }

  std::vector<Calibration> calibrations_;  // what the corpus is, for the result
  CorpusDirs dirs_;
  fs::path log_dir_;  // the case's own cache folder: logs of failed golden checks
  std::string expected_;
  std::string golden_ids_;
  std::string golden_source_;  // which files, for messages
  ProjectPaths paths_;
  double corpus_bytes_;
  size_t documents_;
  std::map<std::string, Verdict> golden_checks_;  // "<implementation> threads=<n>" -> its verdict
};

class TokenizerWorkload final : public Workload {
 public:
  std::string Name() const override { return "tokenizer"; }
  std::string Description() const override {
    return "byte-level BPE encode of a seeded corpus with a Hugging Face tokenizer.json; ids verified (HF's goldens, "
           "C++ and Python agreeing)";
  }

  std::vector<CaseSpec> Cases(std::string_view profile) const override {
    ProfileSizes sizes = SizesFor(profile);
    CaseSpec base;
    base.stopping.min_repetitions = 5;
    base.stopping.max_repetitions = sizes.max_repetitions;
    base.stopping.time_budget_s = sizes.budget_s;
    base.timeout = seconds(sizes.timeout_s);
    base.primary_metric = "timed_ns";
    base.extra_metrics = {{"bytes_per_s", "bytes_per_s", true}, {"ns_per_byte", "ns", false}};

    auto encode = [&](std::string name, std::string style, int threads, std::string description) {
      CaseSpec spec = base;
      spec.name = std::move(name);
      spec.description = std::move(description);
      spec.parameters = {{"style", std::move(style)},
                         {"corpus_bytes", std::to_string(sizes.corpus_bytes)},
                         {"threads", std::to_string(threads)},
                         {"seed", "20261121"},
                         {"latency", "0"}};
      return spec;
    };
    CaseSpec gpt2 = encode("encode_gpt2", "gpt2", 1, "GPT-2 style tokenizer.json (ByteLevel regex), one thread");
    CaseSpec llama3 = encode("encode_llama3", "llama3", 1,
                             "Llama-3 style tokenizer.json (Split regex + ByteLevel, ignore_merges), one thread");
    CaseSpec threads2 = encode("encode_gpt2_2threads", "gpt2", 2, "GPT-2 style, --threads 2");
    threads2.thread_baseline = 1;  // the reference's 2-thread speed-up, paired: cpp@1t vs cpp
    CaseSpec latency = encode("doc_latency_gpt2", "gpt2", 1,
                              "GPT-2 style, one document at a time: per-document latency p50 and p99");
    latency.parameters["corpus_bytes"] = std::to_string(sizes.latency_corpus_bytes);
    latency.parameters["latency"] = "1";
    latency.primary_metric = "doc_latency_p50_ns";
    // The implementation times each document itself (--latency-out): its clock, not the harness's.
    latency.extra_metrics.push_back({"doc_latency_p50_ns", "ns", false, /*self_reported=*/true});
    latency.extra_metrics.push_back({"doc_latency_p99_ns", "ns", false, /*self_reported=*/true});
    std::vector<CaseSpec> cases = {gpt2, llama3, threads2, latency};

    // The corpora a user would trust (standard and full profiles; the quick profile keeps its time).
    auto made = [&](std::string corpus, std::string style, int64_t bytes, std::string description) {
      // The new-code-point cases are checks of Unicode tables, where implementations may give other ids
      // (SPEC.md): named apart from encode_*, so the claims that compare encoding speed leave them out.
      CaseSpec spec = encode(corpus == "unicode_new" ? fmt::format("unicode_new_{}", style)
                                                     : fmt::format("encode_{}_{}", corpus, style),
                             style, 1, std::move(description));
      spec.parameters["corpus"] = corpus;
      spec.parameters["corpus_bytes"] = std::to_string(bytes);
      spec.parameters["corpus_sha256"] = KnownCorpusSha256(corpus, bytes, 20261121);
      if (corpus == "unicode_new") spec.extra_metrics.push_back({"docs_differing_from_hf", "count", false});
      return spec;
    };
    for (const char* style : {"gpt2", "llama3"}) {
      if (sizes.heldout_bytes > 0) {
        cases.push_back(made("heldout", style, sizes.heldout_bytes,
                             "held-out natural text, English and 17 other languages, one thread: git's release notes "
                             "and translations, Debian's licences (data/heldout_sources.txt), each paragraph once; "
                             "all 6.1 MB of it"));
      }
    }
    for (const char* style : {"gpt2", "llama3"}) {
      if (sizes.adversarial_bytes > 0) {
        cases.push_back(made("adversarial", style, sizes.adversarial_bytes,
                             "adversarial text, one thread: runs of one character up to 40,000 long, mixed scripts, "
                             "emoji sequences, source code, Unicode whitespace, special tokens"));
      }
    }
    for (const char* style : {"gpt2", "llama3"}) {
      if (sizes.unicode_new_bytes > 0) {
        cases.push_back(made("unicode_new", style, sizes.unicode_new_bytes,
                             "letters and digits assigned in Unicode 15.0-17.0 beside ASCII, one thread: expected ids "
                             "are Hugging Face's (the hf peer)"));
      }
    }
    return cases;
  }

  void Validate(const CaseSpec& spec) const override { (void)TokenizerSettings::From(spec); }

  std::unique_ptr<PreparedCase> Prepare(const CaseSpec& spec, const WorkloadContext& workload,
                                        const CaseDirs& dirs) const override {
    const TokenizerSettings settings = TokenizerSettings::From(spec);
    const fs::path data = workload.dir / "data";
    const std::string tokenizer_json = ReadWholeFile(data / settings.style / "tokenizer.json");
    // Earlier versions kept the inputs and the expected ids together in the case's own cache folder.
    for (const char* old : {"tokenizer.json", "corpus.txt", "expected.ids", "expected.log", "prepared.txt"}) {
      fs::remove(dirs.cache_dir / old);
    }
    // Shared by the cases with the same corpus (encode_gpt2 and encode_gpt2_2threads): its expected ids
    // cost a run of the Python port, about 1 MB/s.
    const fs::path corpus_dir =
        workload.cache_dir / (settings.corpus == "seeded"
                                  ? fmt::format("{}-{}-{}", settings.style, settings.corpus_bytes, settings.seed)
                                  : fmt::format("{}-{}-{}-{}", settings.style, settings.corpus, settings.corpus_bytes,
                                                settings.seed));
    const CorpusDirs corpus{corpus_dir / "input", corpus_dir / "answers"};
    fs::create_directories(corpus.input);
    fs::create_directories(corpus.answers);

    // The committed corpora and HF's goldens for them, for the check before each implementation runs: the
    // corpora go to input/, the goldens stay in memory.
    std::string goldens_corpus, golden_ids;
    for (const char* name : {"sample", "adversarial"}) {
      goldens_corpus += ReadWholeFile(data / "corpora" / fmt::format("{}.txt", name));
      golden_ids += ReadWholeFile(data / settings.style / fmt::format("{}.ids", name));
    }
    WriteFileAtomically(corpus.input / "goldens.txt", goldens_corpus);

    // Everything the inputs depend on; a matching stamp means the cached inputs and ids are current.
    std::string stamp = fmt::format("style={} corpus_bytes={} seed={} tokenizer_hash={:016x} corpus_sources={:016x}\n",
                                    settings.style, settings.corpus_bytes, settings.seed,
                                    std::hash<std::string>{}(tokenizer_json),
                                    std::hash<std::string>{}(CorpusInputsText(settings.corpus, data)));
    if (settings.corpus != "seeded") {
      stamp += fmt::format("corpus={} corpus_sha256={} expected={}\n", settings.corpus, settings.corpus_sha256,
                           ExpectedIdsSource(settings));
    }
    const fs::path stamp_path = corpus_dir / "prepared.txt";
    const fs::path expected_path = corpus.answers / "expected.ids";
    if (ReadFileIfPresent(stamp_path) != stamp || !fs::exists(expected_path)) {
      fs::remove(stamp_path);
      fs::remove(expected_path);
      WriteFileAtomically(corpus.input / "tokenizer.json", tokenizer_json);
      WriteCaseCorpus(settings.corpus, data, settings.seed, settings.corpus_bytes, settings.corpus_sha256,
                      corpus.input / "corpus.txt");
      WriteFileAtomically(expected_path, ExpectedIdsSource(settings) == "hf"
                                             ? HuggingFaceIds(workload, corpus, spec.name)
                                             : AgreedExpectedIds(workload, corpus, spec.name));
      WriteFileAtomically(stamp_path, stamp);
    }
    std::vector<Calibration> calibrations;
    if (settings.corpus != "seeded") {
      const auto made = static_cast<int64_t>(fs::file_size(corpus.input / "corpus.txt"));
      calibrations.push_back(
          {"corpus_bytes_made", static_cast<double>(made), "bytes",
           fmt::format("the {} corpus, sha256 {}{}; expected ids: {}", settings.corpus, settings.corpus_sha256,
                       made < settings.corpus_bytes ? ", all the text its sources hold (less than corpus_bytes)" : "",
                       ExpectedIdsSource(settings) == "hf" ? "Hugging Face's (the hf peer)"
                                                           : "the C++ reference and the Python port agreeing")});
    }
    return std::make_unique<TokenizerCase>(
        corpus, dirs.cache_dir, ReadWholeFile(expected_path), std::move(golden_ids),
        fmt::format("data/{}/sample.ids and adversarial.ids", settings.style), workload.paths,
        std::move(calibrations));
  }

 private:
  // The ids the C++ reference and the plain-Python port agree on for the benchmark corpus, each run once,
  // untimed (expected_ids.h). Throws SetupError when either cannot run or they disagree.
  static std::string AgreedExpectedIds(const WorkloadContext& workload, const CorpusDirs& corpus,
                                       const std::string& case_name) {
    const Implementation& reference = workload.Reference();
    const Implementation* port = workload.Find("python");
    if (port == nullptr) {
      throw SetupError("the tokenizer's expected ids need its plain-Python port (impls/python/) to agree with the "
                       "C++ reference; restore it from git");
    }
    if (std::string why = UnavailableReason(*port); !why.empty()) {
      throw SetupError("the tokenizer's expected ids need its plain-Python port to agree with the C++ reference, "
                       "and it cannot run: " + why);
    }
    const std::string corpus_text = (corpus.input / "corpus.txt").string();
    const std::string tokenizer = (corpus.input / "tokenizer.json").string();
    std::vector<EncodedCorpus> outputs;
    for (const auto& [implementation, threads] :
         {std::pair{&reference, std::max(1U, std::thread::hardware_concurrency())}, std::pair{port, 1U}}) {
      const EncodeRun run = RunEncoder(*implementation, workload.paths,
                                       {"encode", "--tokenizer", tokenizer, "--input", corpus_text, "--threads",
                                        std::to_string(threads)},
                                       corpus.answers, implementation->name, std::chrono::hours(2));
      if (!run.ok) {
        throw SetupError(fmt::format("the expected ids for {} need the C++ reference and the Python port to agree, "
                                     "and {}",
                                     case_name, run.error));
      }
      outputs.push_back({implementation->name, run.ids});
    }
    return AgreedIds(outputs[0], outputs[1], fmt::format("the benchmark corpus of {} ({})", case_name, corpus_text));
  }

  // Hugging Face's own ids for the corpus (the hf peer, one thread, untimed): the definition of the ids
  // (SPEC.md), for a corpus where the reference and the Python port are allowed to differ from them.
  // Throws SetupError when the peer cannot run.
  static std::string HuggingFaceIds(const WorkloadContext& workload, const CorpusDirs& corpus,
                                    const std::string& case_name) {
    const Implementation* hf = workload.Find("hf");
    if (hf == nullptr) {
      throw SetupError(fmt::format("the expected ids of {} are Hugging Face's, and impls/hf/ is missing; restore it "
                                   "from git",
                                   case_name));
    }
    if (std::string why = UnavailableReason(*hf); !why.empty()) {
      throw SetupError(fmt::format("the expected ids of {} are Hugging Face's, and the hf peer cannot run: {}",
                                   case_name, why));
    }
    const EncodeRun run = RunEncoder(*hf, workload.paths,
                                     {"encode", "--tokenizer", (corpus.input / "tokenizer.json").string(), "--input",
                                      (corpus.input / "corpus.txt").string(), "--threads", "1"},
                                     corpus.answers, hf->name, std::chrono::hours(2));
    if (!run.ok) {
      throw SetupError(fmt::format("the expected ids of {} are Hugging Face's, and {}", case_name, run.error));
    }
    return run.ids;
  }
};

}  // namespace

std::unique_ptr<Workload> MakeTokenizerWorkload() { return std::make_unique<TokenizerWorkload>(); }

}  // namespace claimbench::tokenizer_workload
