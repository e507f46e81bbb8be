#include "sync_engine_workload.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "chunk_check.h"
#include "claimbench/atomic_file.h"
#include "claimbench/case_parameters.h"
#include "claimbench/error.h"
#include "claimbench/file_contents.h"
#include "claimbench/implementation.h"
#include "claimbench/process.h"
#include "corpus.h"
#include "service_cases.h"
#include "size_text.h"
#include "spec_chunker.h"
#include "sync_check.h"
#include "tree_hash.h"

namespace claimbench::sync_engine_workload {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;


struct ProfileSizes {
  std::string chunk_file;  // the chunk cases' input
  std::string corpus;      // v0 of the sync cases
  int min_repetitions;
  int max_repetitions;
  double budget_s;  // per case, all implementations
  seconds timeout;
};

ProfileSizes SizesFor(std::string_view profile) {
  // Quick allows 10 repetitions: the sync ratios against restic are the target, and 5 left their
  // intervals too wide to judge (2.19-3.81 around a 3.24x median).
  if (profile == "quick") return {"64M", "32M", 5, 10, 60, seconds(120)};
  if (profile == "standard") return {"512M", "256M", 5, 10, 60, seconds(300)};
  if (profile == "full") return {"2G", "1G", 5, 10, 300, seconds(900)};
  throw SetupError(fmt::format("unknown profile '{}'; choose quick, standard or full", profile));
}

bool IsChunkCase(const CaseSpec& spec) { return spec.parameters.contains("mode"); }

int64_t SizeParameter(const CaseSpec& spec, const std::string& name) {
  const std::string text = CaseParameters(spec).String(name);
  const auto size = sync_corpus::ParseSize(text);
  if (!size || *size <= 0) {
    throw SetupError(fmt::format("case {}: parameter {}={} is not a positive size (e.g. 64K, 32M)", spec.name, name, text));
  }
  return *size;
}

struct ChunkSizes {
  int64_t min, avg, max;
};

ChunkSizes ChunkParameters(const CaseSpec& spec) {
  ChunkSizes sizes{SizeParameter(spec, "min"), SizeParameter(spec, "avg"), SizeParameter(spec, "max")};
  if (!(sizes.min < sizes.avg && sizes.avg < sizes.max) || (sizes.avg & (sizes.avg - 1)) != 0 || sizes.avg < 8) {
    throw SetupError(fmt::format(
        "case {}: need min < avg < max and avg a power of two of at least 8 (SPEC.md), got {} {} {}", spec.name,
        sizes.min, sizes.avg, sizes.max));
  }
  return sizes;
}

std::vector<std::string> ChunkSizeArguments(const CaseSpec& spec) {
  CaseParameters params(spec);
  return {"--hash", "sha256", "--min", params.String("min"), "--avg", params.String("avg"), "--max", params.String("max")};
}

// The chunk cases' input, shared by every case that asks for the same one: in the workload cache's input/
// folder, the only one an implementation is pointed at. Its answers (the SHA-256) live in answers/.
std::string ChunkInputName(const CaseSpec& spec) {
  return fmt::format("random-{}-{}", CaseParameters(spec).String("seed"), CaseParameters(spec).String("file_bytes"));
}

fs::path CorpusDir(const CaseSpec& spec, const fs::path& cache_dir) {
  return cache_dir / fmt::format("corpus-{}-{}", CaseParameters(spec).String("seed"),
                                             CaseParameters(spec).String("corpus_bytes"));
}

// Runs `impl` with `args` in `dir`, untimed, for set-up and verification. Empty when it exited 0, else
// one line: what failed and the last line of its stderr.
std::string RunUntimed(const Implementation& impl, const ProjectPaths& paths, const std::vector<std::string>& args,
                       const fs::path& dir, const std::string& name, seconds timeout) {
  ProcessSpec process;
  process.argv = impl.command;
  process.argv.insert(process.argv.end(), args.begin(), args.end());
  process.env = ImplementationEnvironment(paths);
  process.working_dir = dir;
  process.stdout_path = dir / (name + ".stdout");
  process.stderr_path = dir / (name + ".stderr");
  process.timeout = timeout;
  process.rss_sample_interval = std::chrono::nanoseconds(0);
  ProcessResult result = RunToCompletion(process);
  if (result.ok()) return "";
  std::string last;
  std::istringstream err(ReadWholeFile(process.stderr_path));
  for (std::string line; std::getline(err, line);) {
    if (!line.empty()) last = line;
  }
  return fmt::format("{} {}{}", args.empty() ? std::string() : args.front(), result.error,
                     last.empty() ? "" : "; stderr: " + last.substr(0, 200));
}

// The chunk cases (chunk, hash, chunk_hash): one seeded random file, its SHA-256, and the expected
// boundaries with the harness's own hashes of the bytes between them.
class ChunkCase final : public PreparedCase {
 public:
  ChunkCase(fs::path input, std::string expected_hash, std::vector<Chunk> expected_chunks)
      : input_(std::move(input)), expected_hash_(std::move(expected_hash)), expected_(std::move(expected_chunks)) {}

  std::vector<std::string> Arguments(const CaseSpec& spec, const RunContext&) override {
    const std::string mode = CaseParameters(spec).Choice("mode", {"chunk", "hash", "chunk+hash"});
    std::vector<std::string> args = {"chunk", "--input", input_.string(), "--mode", mode};
    for (const std::string& a : ChunkSizeArguments(spec)) args.push_back(a);
    // Only chunk+hash takes --threads (SPEC.md); the other cases keep the command line they always had.
    if (spec.parameters.contains("threads")) {
      args.insert(args.end(), {"--threads", std::to_string(CaseParameters(spec).Int("threads", 1, 1024))});
    }
    return args;
  }

  Verdict Verify(const CaseSpec& spec, const RunContext& context, std::map<std::string, double>& metrics) override {
    const std::string mode = CaseParameters(spec).String("mode");
    const std::string output = ReadWholeFile(context.stdout_path);
    if (mode == "hash") {
      if (output != expected_hash_) {
        return Verdict::Invalid(
            fmt::format("hash '{}', expected {}", output.substr(0, 80), expected_hash_.substr(0, 64)));
      }
    } else {
      std::vector<Chunk> actual;
      std::string error;
      if (!ParseChunks(output, mode == "chunk+hash", actual, error)) return Verdict::Invalid(error);
      if (error = CompareChunks(expected_, actual, mode == "chunk+hash"); !error.empty()) return Verdict::Invalid(error);
    }
    if (auto timed = metrics.find("timed_ns"); timed != metrics.end() && timed->second > 0) {
      metrics["bytes_per_s"] = static_cast<double>(SizeParameter(spec, "file_bytes")) / (timed->second / 1e9);
    }
    return Verdict::Ok();
  }

 private:
  fs::path input_;
  std::string expected_hash_;    // "<hex>\n", computed by the harness
  std::vector<Chunk> expected_;  // empty for the hash case
};

// The sync cases: a seeded tree (v0, and v1 for the incremental sync) synced into a store, restored and
// hashed by the harness.
class SyncCase final : public PreparedCase {
 public:
  SyncCase(fs::path corpus, ProjectPaths paths)
      : corpus_(std::move(corpus)),
        paths_(std::move(paths)),
        manifest_(sync_corpus::ReadManifest(corpus_ / "manifest.json")) {}

  // Untimed: the local folder is a fresh copy of v0; for the incremental case it is synced into a fresh store
  // (by the implementation itself) and then changed to v1 the way a user would (renames keep inodes).
  Verdict BeforeRepetition(const CaseSpec& spec, const RunContext& context) override {
    fs::copy(corpus_ / "v0", context.scratch_dir / "local", fs::copy_options::recursive);
    if (CaseParameters(spec).String("sync") == "incremental") {
      std::string error =
          RunUntimed(*context.implementation, paths_, Arguments(spec, context), context.scratch_dir, "setup", seconds(900));
      if (!error.empty()) return Verdict::Invalid("the first sync, into an empty store, failed: " + error);
      sync_corpus::ApplyOperations(manifest_, corpus_ / "v1", context.scratch_dir / "local");
    }
    return Verdict::Ok();
  }

  std::vector<std::string> Arguments(const CaseSpec& spec, const RunContext& context) override {
    const fs::path local = context.scratch_dir / "local", store = context.scratch_dir / "store";
    std::vector<std::string> args = {"sync", "--local", local.string(), "--remote", store.string()};
    for (const std::string& a : ChunkSizeArguments(spec)) args.push_back(a);
    // Every online core unless --param threads=N says otherwise: restic, the peer, uses all of them (GOMAXPROCS).
    const int64_t threads = spec.parameters.contains("threads") ? CaseParameters(spec).Int("threads", 1, 1024)
                                                                 : std::max<int64_t>(1, ::sysconf(_SC_NPROCESSORS_ONLN));
    args.insert(args.end(), {"--threads", std::to_string(threads)});
    // Power-loss safety, as restic (which always syncs what it writes) has it; --param fsync=0 measures
    // without it (SPEC.md, Crash safety).
    if (CaseParameters(spec).Choice("fsync", {"0", "1"}) == "1") args.push_back("--fsync");
    return args;
  }

  Verdict Verify(const CaseSpec& spec, const RunContext& context, std::map<std::string, double>& metrics) override {
    try {
      return VerifySync(spec, context, metrics);
    } catch (const SetupError& error) {
      // A folder the implementation left unreadable or missing is its wrong answer, not the harness's.
      return Verdict::Invalid(error.what());
    }
  }

 private:
  Verdict VerifySync(const CaseSpec& spec, const RunContext& context, std::map<std::string, double>& metrics) {
    const bool initial = CaseParameters(spec).String("sync") == "initial";
    SyncStats stats;
    std::string error;
    if (!ParseSyncStats(ReadWholeFile(context.stdout_path), stats, error)) return Verdict::Invalid(error);
    const int64_t max_chunk = stats.chunk_max_bytes > 0 ? stats.chunk_max_bytes : ChunkParameters(spec).max;
    const SyncExpectation expected =
        Expect(manifest_, initial ? SyncKind::kInitial : SyncKind::kIncremental, max_chunk);
    if (error = CheckSyncStats(stats, expected); !error.empty()) return Verdict::Invalid(error);
    // The folder itself, and what the store gives back, hashed here.
    if (std::string local = sync_corpus::TreeHash(context.scratch_dir / "local"); local != expected.tree_hash) {
      return Verdict::Invalid(fmt::format("the local folder after the sync has tree hash {}, the corpus {}", local,
                                          expected.tree_hash));
    }
    const fs::path restored = context.scratch_dir / "restored";
    const std::vector<std::string> args = {"restore", "--remote", (context.scratch_dir / "store").string(), "--out",
                                           restored.string()};
    if (error = RunUntimed(*context.implementation, paths_, args, context.scratch_dir, "restore", seconds(900));
        !error.empty()) {
      return Verdict::Invalid("restore failed: " + error);
    }
    if (std::string hash = sync_corpus::TreeHash(restored); hash != expected.tree_hash) {
      return Verdict::Invalid(fmt::format("the restored tree has tree hash {}, the corpus {}: the store lost or "
                                          "changed data", hash, expected.tree_hash));
    }
    if (auto timed = metrics.find("timed_ns"); timed != metrics.end() && timed->second > 0) {
      const int64_t tree_bytes = initial ? manifest_.v0.logical_bytes : manifest_.v1.logical_bytes;
      metrics["bytes_per_s"] = static_cast<double>(tree_bytes) / (timed->second / 1e9);
    }
    metrics["bytes_uploaded"] = static_cast<double>(stats.bytes_uploaded);
    // Bytes the sync had to bring in (the whole tree; the edited and new files) per byte it uploaded.
    const int64_t changed = initial ? manifest_.v0.logical_bytes : manifest_.incremental_written_bytes;
    if (stats.bytes_uploaded > 0) {
      metrics["dedup_ratio"] = static_cast<double>(changed) / static_cast<double>(stats.bytes_uploaded);
    }
    return Verdict::Ok();
  }

  fs::path corpus_;
  ProjectPaths paths_;
  sync_corpus::CorpusManifest manifest_;
};

class SyncEngineWorkload final : public Workload {
 public:
  std::string Name() const override { return "sync_engine"; }
  std::string Description() const override {
    return "FastCDC chunking and SHA-256, initial and incremental sync of a seeded corpus: C++ against restic and "
           "rsync; read-states service";
  }

  std::vector<CaseSpec> Cases(std::string_view profile) const override {
    const ProfileSizes sizes = SizesFor(profile);
    std::vector<CaseSpec> cases;
    auto add = [&](std::string name, std::string description, std::map<std::string, std::string> parameters,
                   std::vector<MetricDescriptor> metrics) {
      CaseSpec spec;
      spec.name = std::move(name);
      spec.description = std::move(description);
      spec.parameters = std::move(parameters);
      spec.parameters.insert({{"seed", "1"}, {"min", "16K"}, {"avg", "64K"}, {"max", "256K"}});
      spec.warmup_repetitions = 1;
      spec.stopping.min_repetitions = sizes.min_repetitions;
      spec.stopping.max_repetitions = sizes.max_repetitions;
      spec.stopping.time_budget_s = sizes.budget_s;
      spec.timeout = sizes.timeout;
      spec.extra_metrics = std::move(metrics);
      cases.push_back(std::move(spec));
    };
    const std::vector<MetricDescriptor> kernel = {{"bytes_per_s", "bytes_per_s", true}};
    add("chunk", fmt::format("FastCDC boundaries alone on {} of seeded random bytes, checked against the reference",
                             sizes.chunk_file),
        {{"mode", "chunk"}, {"file_bytes", sizes.chunk_file}}, kernel);
    add("hash", fmt::format("SHA-256 of {} as one message, checked by the harness", sizes.chunk_file),
        {{"mode", "hash"}, {"file_bytes", sizes.chunk_file}}, kernel);
    add("chunk_hash", fmt::format("FastCDC and SHA-256 of every chunk of {}; compare bytes_per_s with case hash",
                                  sizes.chunk_file),
        {{"mode", "chunk+hash"}, {"file_bytes", sizes.chunk_file}}, kernel);
    add("chunk_hash_t2", fmt::format("chunk_hash of {} with --threads 2 (boundaries pipelined with hashing); compare "
                                     "bytes_per_s with case hash and cpu_time with real_time", sizes.chunk_file),
        {{"mode", "chunk+hash"}, {"file_bytes", sizes.chunk_file}, {"threads", "2"}}, kernel);
    cases.back().thread_baseline = 1;  // paired against the reference on one thread: cpp@1t vs cpp
    const std::vector<MetricDescriptor> sync = {{"bytes_per_s", "bytes_per_s", true},
                                                {"dedup_ratio", "ratio", true},
                                                {"bytes_uploaded", "bytes", false}};
    add("initial_sync", fmt::format("sync of a {} seeded tree (duplicates, shared prefixes) into an empty store; "
                                    "restored and verified", sizes.corpus),
        {{"sync", "initial"}, {"corpus_bytes", sizes.corpus}, {"fsync", "1"}}, sync);
    add("incremental_sync", fmt::format("sync of the {} tree's next version (inserts, deletes, appends, renames, moves) "
                                        "into its store; restored and verified", sizes.corpus),
        {{"sync", "incremental"}, {"corpus_bytes", sizes.corpus}, {"fsync", "1"}}, sync);
    for (CaseSpec& spec : cases) {
      if (spec.parameters.contains("sync")) {
        spec.untimed_work_after_done = "the statistics line's tree hash reads and hashes the whole folder (SPEC.md)";
      }
    }
    for (CaseSpec& spec : ServiceCases(profile)) cases.push_back(std::move(spec));
    return cases;
  }

  void Validate(const CaseSpec& spec) const override {
    if (IsServiceCase(spec)) return ValidateServiceCase(spec);
    (void)CaseParameters(spec).Int("seed", 0, INT64_MAX);
    (void)ChunkParameters(spec);
    if (!IsChunkCase(spec)) {
      CaseParameters(spec).Choice("sync", {"initial", "incremental"});
      CaseParameters(spec).Choice("fsync", {"0", "1"});
      (void)SizeParameter(spec, "corpus_bytes");
      if (spec.parameters.contains("threads")) (void)CaseParameters(spec).Int("threads", 1, 1024);
      return;
    }
    const std::string mode = CaseParameters(spec).Choice("mode", {"chunk", "hash", "chunk+hash"});
    (void)SizeParameter(spec, "file_bytes");
    if (spec.parameters.contains("threads")) {
      (void)CaseParameters(spec).Int("threads", 1, 1024);
      if (mode != "chunk+hash") {
        throw SetupError(fmt::format("case {}: parameter threads applies to mode chunk+hash only", spec.name));
      }
    }
  }

  std::unique_ptr<PreparedCase> Prepare(const CaseSpec& spec, const WorkloadContext& workload,
                                        const CaseDirs&) const override {
    if (IsServiceCase(spec)) return PrepareServiceCase(spec);
    const uint64_t seed = static_cast<uint64_t>(CaseParameters(spec).Int("seed", 0, INT64_MAX));
    if (!IsChunkCase(spec)) {
      const fs::path corpus = CorpusDir(spec, workload.cache_dir);
      sync_corpus::LoadOrGenerateCorpus({seed, SizeParameter(spec, "corpus_bytes")}, corpus);
      return std::make_unique<SyncCase>(corpus, workload.paths);
    }
    const ChunkSizes sizes = ChunkParameters(spec);
    const int64_t bytes = SizeParameter(spec, "file_bytes");
    const std::string name = ChunkInputName(spec);
    const fs::path input = workload.cache_dir / "input" / (name + ".bin");
    const fs::path hash_file = workload.cache_dir / "answers" / (name + ".sha256");
    // Earlier versions kept the hash beside its input in the cache's top folder: that pair is only disk space now.
    fs::remove(workload.cache_dir / (name + ".bin"));
    fs::remove(workload.cache_dir / (name + ".bin.sha256"));
    if (!fs::exists(hash_file) || !fs::exists(input)) {
      fs::create_directories(input.parent_path());
      sync_corpus::WriteRandomFile(input, seed, bytes);
      WriteFileAtomically(hash_file, sync_corpus::FileSha256Hex(input) + "\n");
    }
    std::string expected_hash = ReadWholeFile(hash_file);
    if (CaseParameters(spec).String("mode") == "hash") {
      return std::make_unique<ChunkCase>(input, expected_hash, std::vector<Chunk>{});
    }
    // The expected boundaries are the harness's own FastCDC, written from SPEC.md (spec_chunker.h), not any
    // measured implementation's; the hashes are the harness's own too, of the bytes between them.
    std::vector<Chunk> chunks = SpecChunks(input, {sizes.min, sizes.avg, sizes.max});
    if (std::string error = CheckTiling(chunks, bytes, sizes.min, sizes.max); !error.empty()) {
      throw SetupError(fmt::format("the harness's own chunker cut {} wrongly ({}): a bug in "
                                   "workloads/sync_engine/driver/spec_chunker.cc",
                                   input.string(), error));
    }
    HashChunks(input, chunks);
    return std::make_unique<ChunkCase>(input, std::move(expected_hash), std::move(chunks));
  }
};

}  // namespace

std::unique_ptr<Workload> MakeSyncEngineWorkload() { return std::make_unique<SyncEngineWorkload>(); }

}  // namespace claimbench::sync_engine_workload
