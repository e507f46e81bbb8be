#include "tokenizer_workload.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "benchmark_corpus.h"
#include "claimbench/atomic_file.h"
#include "claimbench/case_parameters.h"
#include "claimbench/error.h"
#include "claimbench/file_contents.h"
#include "claimbench/process.h"

namespace claimbench::tokenizer_workload {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

struct ProfileSizes {
  int64_t corpus_bytes;
  int64_t latency_corpus_bytes;
  int max_repetitions;
  double budget_s;
  int timeout_s;
};

// Quick keeps every peer (plain Python included) to about two and a half minutes on two cores; standard and
// full give the peers (about 1 MB/s each) enough budget for five repetitions of the bigger corpora.
ProfileSizes SizesFor(std::string_view profile) {
  if (profile == "quick") return {1 << 20, 256 << 10, 10, 30, 120};
  if (profile == "standard") return {8 << 20, 1 << 20, 20, 240, 600};
  if (profile == "full") return {64 << 20, 4 << 20, 30, 1200, 3600};
  throw SetupError(fmt::format("unknown profile '{}'; choose quick, standard or full", profile));
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

size_t CountIds(std::string_view line) {
  return line.empty() ? 0 : static_cast<size_t>(std::count(line.begin(), line.end(), ' ')) + 1;
}

// One line saying where `got` first differs from `want`.
std::string FirstDifference(std::string_view want, std::string_view got) {
  std::vector<std::string_view> want_lines = Lines(want), got_lines = Lines(got);
  for (size_t i = 0; i < std::min(want_lines.size(), got_lines.size()); ++i) {
    if (want_lines[i] == got_lines[i]) continue;
    return fmt::format("document {}: expected {} ids, got {}; expected '{}', got '{}'", i + 1,
                       CountIds(want_lines[i]), CountIds(got_lines[i]), want_lines[i].substr(0, 40),
                       got_lines[i].substr(0, 40));
  }
  if (want_lines.size() != got_lines.size()) {
    return fmt::format("expected {} lines (one per document), got {}", want_lines.size(), got_lines.size());
  }
  return "output differs from the expected ids (line endings?)";
}

// A case's parameters, read once.
struct TokenizerSettings {
  std::string style;
  int64_t corpus_bytes = 0;
  uint64_t seed = 0;
  int64_t threads = 1;
  bool latency = false;

  static TokenizerSettings From(const CaseSpec& spec) {
    CaseParameters params(spec);
    return {params.Choice("style", {"gpt2", "llama3"}), params.Int("corpus_bytes", 1, int64_t{1} << 34),
            static_cast<uint64_t>(params.Int("seed", 0, INT64_MAX)), params.Int("threads", 1, 1024),
            params.Int("latency", 0, 1) == 1};
  }
};

// One prepared case: the corpus, the tokenizer and the expected ids under the case's cache folder.
class TokenizerCase final : public PreparedCase {
 public:
  explicit TokenizerCase(fs::path dir)
      : dir_(std::move(dir)),
        expected_(ReadWholeFile(dir_ / "expected.ids")),
        corpus_bytes_(static_cast<double>(fs::file_size(dir_ / "corpus.txt"))),
        documents_(Lines(expected_).size()) {}

  std::vector<std::string> Arguments(const CaseSpec& spec, const RunContext& context) override {
    const TokenizerSettings settings = TokenizerSettings::From(spec);
    std::vector<std::string> args = {"encode", "--tokenizer", (dir_ / "tokenizer.json").string(), "--input",
                                     (dir_ / "corpus.txt").string(), "--threads", std::to_string(settings.threads)};
    if (settings.latency) args.insert(args.end(), {"--latency-out", (context.scratch_dir / "latency.txt").string()});
    return args;
  }

  Verdict Verify(const CaseSpec& spec, const RunContext& context, std::map<std::string, double>& metrics) override {
    std::string got = ReadWholeFile(context.stdout_path);
    if (got != expected_) return Verdict::Invalid("ids differ from Hugging Face's: " + FirstDifference(expected_, got));
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
  fs::path dir_;
  std::string expected_;
  double corpus_bytes_;
  size_t documents_;
};

class TokenizerWorkload final : public Workload {
 public:
  std::string Name() const override { return "tokenizer"; }
  std::string Description() const override {
    return "byte-level BPE encode of a seeded corpus with a Hugging Face tokenizer.json; ids checked against HF";
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
    return {gpt2, llama3, threads2, latency};
  }

  void Validate(const CaseSpec& spec) const override { (void)TokenizerSettings::From(spec); }

  std::unique_ptr<PreparedCase> Prepare(const CaseSpec& spec, const WorkloadContext& workload,
                                        const CaseDirs& dirs) const override {
    const TokenizerSettings settings = TokenizerSettings::From(spec);
    const fs::path data = workload.dir / "data";
    const std::string tokenizer_json = ReadWholeFile(data / settings.style / "tokenizer.json");
    const fs::path& case_dir = dirs.cache_dir;

    // Everything the inputs depend on; a matching stamp means the cached inputs are current.
    std::string stamp = fmt::format("style={} corpus_bytes={} seed={} tokenizer_hash={:016x} corpus_sources={:016x}\n",
                                    settings.style, settings.corpus_bytes, settings.seed,
                                    std::hash<std::string>{}(tokenizer_json),
                                    std::hash<std::string>{}(ReadWholeFile(data / "train_text.txt") +
                                                             ReadWholeFile(data / "corpora" / "adversarial.txt")));
    const fs::path stamp_path = case_dir / "prepared.txt";
    if (ReadFileIfPresent(stamp_path) != stamp || !fs::exists(case_dir / "expected.ids")) {
      fs::remove(stamp_path);
      WriteFileAtomically(case_dir / "tokenizer.json", tokenizer_json);
      WriteBenchmarkCorpus(data, settings.seed, settings.corpus_bytes, case_dir / "corpus.txt");
      WriteExpectedIds(workload, case_dir);
      WriteFileAtomically(stamp_path, stamp);
    }
    return std::make_unique<TokenizerCase>(case_dir);
  }

 private:
  // The truth is Hugging Face's own output for this corpus (the hf peer's program, run once, untimed).
  static void WriteExpectedIds(const WorkloadContext& workload, const fs::path& case_dir) {
    const Implementation* hf = workload.Find("hf");
    if (hf == nullptr) throw SetupError("the tokenizer workload takes its expected ids from its hf peer (impls/hf/)");
    ProcessSpec run;
    run.argv = hf->command;
    run.argv.insert(run.argv.end(), {"encode", "--tokenizer", (case_dir / "tokenizer.json").string(), "--input",
                                     (case_dir / "corpus.txt").string(), "--threads",
                                     std::to_string(std::max(1u, std::thread::hardware_concurrency()))});
    run.env = ImplementationEnvironment(workload.paths);
    run.stdout_path = case_dir / "expected.ids.tmp";
    run.stderr_path = case_dir / "expected.log";
    run.timeout = std::chrono::minutes(30);
    run.rss_sample_interval = std::chrono::nanoseconds(0);
    ProcessResult result = RunToCompletion(run);
    if (!result.ok()) {
      throw SetupError(fmt::format(
          "the tokenizer workload takes its expected ids from Hugging Face tokenizers, which failed ({}; log: {}); "
          "install it with ./claimbench setup",
          result.error, run.stderr_path.string()));
    }
    fs::rename(case_dir / "expected.ids.tmp", case_dir / "expected.ids");
  }
};

}  // namespace

std::unique_ptr<Workload> MakeTokenizerWorkload() { return std::make_unique<TokenizerWorkload>(); }

}  // namespace claimbench::tokenizer_workload
