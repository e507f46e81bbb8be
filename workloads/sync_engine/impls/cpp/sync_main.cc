// sync_engine's C++ reference (SPEC.md): sync, restore, verify and chunk; serve is the read-states
// service. main only parses arguments and turns errors into one line on stderr and the exit status of
// SPEC.md: 2 usage, 3 corrupt store or local state, 4 local folder changed during the sync.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "chunk_hash.h"
#include "chunker.h"
#include "claimbench/impl/marks.h"
#include "errors.h"
#include "hasher.h"
#include "serve_main.h"
#include "sync.h"

namespace {

using claimbench::sync::UsageError;
namespace cs = claimbench::sync;

constexpr std::string_view kUsage =
    "usage: sync_engine sync    --local DIR --remote STORE [--hash sha256|fast] [--min BYTES] [--avg BYTES]\n"
    "                           [--max BYTES] [--threads N] [--replica NAME] [--rehash] [--fsync]\n"
    "       sync_engine restore --remote STORE --out DIR\n"
    "       sync_engine verify  --remote STORE\n"
    "       sync_engine chunk   --input FILE [--mode chunk|hash|chunk+hash] [--hash sha256|fast] [--min "
    "BYTES]\n"
    "                           [--avg BYTES] [--max BYTES] [--threads N]\n"
    "       sync_engine serve   --listen HOST:PORT --entries N [--keys K] [--write-back-ms MS] [--threads "
    "N]\n";

using Options = std::map<std::string, std::string>;

// --key value pairs and the bare --flags in `flags`; anything else is a usage error.
Options ParseOptions(const std::vector<std::string>& args, const std::vector<std::string_view>& allowed,
                     const std::vector<std::string_view>& flags) {
  Options options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word.rfind("--", 0) != 0) throw UsageError("unexpected argument '" + word + "'");
    std::string key = word.substr(2);
    std::string value;
    bool has_value = false;
    if (auto eq = key.find('='); eq != std::string::npos) {
      value = key.substr(eq + 1);
      key = key.substr(0, eq);
      has_value = true;
    }
    std::string option = "--" + key;
    bool is_flag = false;
    for (std::string_view flag : flags) is_flag = is_flag || flag == key;
    bool known = is_flag;
    for (std::string_view name : allowed) known = known || name == key;
    if (!known) throw UsageError("unknown option " + option);
    if (options.count(key) != 0) throw UsageError(option + " given twice");
    if (is_flag) {
      if (has_value) throw UsageError(option + " takes no value");
      options.emplace(key, "1");
      continue;
    }
    if (!has_value) {
      if (i + 1 >= args.size()) throw UsageError(option + " needs a value");
      value = args[++i];
    }
    options.emplace(key, value);
  }
  return options;
}

std::string Get(const Options& options, const std::string& key, const std::string& fallback = {}) {
  auto it = options.find(key);
  return it == options.end() ? fallback : it->second;
}

std::string Required(const Options& options, const std::string& key) {
  auto it = options.find(key);
  if (it == options.end() || it->second.empty()) throw UsageError("--" + key + " is required");
  return it->second;
}

int ParseThreads(const std::string& text) {
  std::uint64_t n = 0;
  try {
    n = cs::ParseSize(text, "--threads");
  } catch (const UsageError&) {
    throw UsageError("--threads must be a whole number from 1 to 1024, not '" + text + "'");
  }
  if (n < 1 || n > 1024 || text.find_first_not_of("0123456789") != std::string::npos) {
    throw UsageError("--threads must be a whole number from 1 to 1024, not '" + text + "'");
  }
  return static_cast<int>(n);
}

cs::ChunkParams ParseChunking(const Options& options) {
  cs::ChunkParams params;
  if (options.count("min")) params.min = cs::ParseSize(options.at("min"), "--min");
  if (options.count("avg")) params.avg = cs::ParseSize(options.at("avg"), "--avg");
  if (options.count("max")) params.max = cs::ParseSize(options.at("max"), "--max");
  cs::ValidateChunkParams(params);
  return params;
}

int Sync(const std::vector<std::string>& args) {
  Options options =
      ParseOptions(args, {"local", "remote", "hash", "min", "avg", "max", "threads", "replica"}, {"rehash", "fsync"});
  cs::SyncOptions sync;
  sync.local = Required(options, "local");
  sync.remote = Required(options, "remote");
  sync.hash_given = options.count("hash") != 0;
  sync.hash = cs::ParseHashKind(Get(options, "hash", "sha256"));
  sync.chunking = ParseChunking(options);
  sync.threads = ParseThreads(Get(options, "threads", "1"));
  sync.replica = Get(options, "replica");
  sync.rehash = options.count("rehash") != 0;
  sync.fsync = options.count("fsync") != 0;
  cs::SyncStats stats = cs::RunSync(
      sync, [] { claimbench::impl::Mark("ready"); }, [] { claimbench::impl::Mark("done"); });
  std::cout << cs::StatsToJson(stats) << '\n' << std::flush;
  return 0;
}

int Restore(const std::vector<std::string>& args) {
  Options options = ParseOptions(args, {"remote", "out"}, {});
  std::string remote = Required(options, "remote");
  std::string out = Required(options, "out");
  std::uint64_t files = cs::RunRestore(
      remote, out, [] { claimbench::impl::Mark("ready"); }, [] { claimbench::impl::Mark("done"); });
  std::cerr << "sync_engine: restored " << files << " files into " << out << '\n';
  return 0;
}

int Verify(const std::vector<std::string>& args) {
  Options options = ParseOptions(args, {"remote"}, {});
  cs::VerifyReport report = cs::RunVerify(Required(options, "remote"));
  for (const std::string& problem : report.problems) std::cerr << "sync_engine: corrupt: " << problem << '\n';
  std::cout << "{\"ok\": " << (report.problems.empty() ? "true" : "false")
            << ", \"chunks\": " << report.chunks << ", \"manifests\": " << report.manifests
            << ", \"bytes\": " << report.bytes << "}\n"
            << std::flush;
  if (!report.problems.empty()) {
    std::cerr
        << "sync_engine: error: the store is corrupt (" << report.problems.size()
        << " bad objects); restore it from a copy, or sync a replica that has the files into a new store\n";
    return 3;
  }
  return 0;
}

// The file, read into memory (mapped and touched, so that `ready` means it is resident).
class InputFile {
 public:
  explicit InputFile(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw UsageError("cannot read --input " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      throw UsageError("--input " + path + " is not a regular file");
    }
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ > 0) {
      void* map = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (map == MAP_FAILED) {
        ::close(fd);
        throw UsageError("cannot map --input " + path + ": " + std::strerror(errno));
      }
      data_ = static_cast<const std::uint8_t*>(map);
      volatile std::uint8_t sink = 0;
      for (std::size_t i = 0; i < size_; i += 4096) sink = sink + data_[i];
    }
    ::close(fd);
  }
  ~InputFile() {
    if (data_ != nullptr) ::munmap(const_cast<std::uint8_t*>(data_), size_);
  }
  std::span<const std::uint8_t> bytes() const { return {data_, size_}; }

 private:
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

int Chunk(const std::vector<std::string>& args) {
  Options options = ParseOptions(args, {"input", "mode", "hash", "min", "avg", "max", "threads"}, {});
  std::string path = Required(options, "input");
  std::string mode = Get(options, "mode", "chunk");
  if (mode != "chunk" && mode != "hash" && mode != "chunk+hash") {
    throw UsageError("--mode must be chunk, hash or chunk+hash, not '" + mode + "'");
  }
  cs::HashKind kind = cs::ParseHashKind(Get(options, "hash", "sha256"));
  cs::Chunker chunker(ParseChunking(options));
  const int threads = ParseThreads(Get(options, "threads", "1"));
  if (threads > 1 && mode != "chunk+hash") {
    throw UsageError("--threads applies to --mode chunk+hash only (chunk and hash are sequential)");
  }
  InputFile input(path);
  std::span<const std::uint8_t> data = input.bytes();
  claimbench::impl::Mark("ready");
  std::string out;
  if (mode == "hash") {
    out = cs::HashHex(kind, data) + "\n";
    claimbench::impl::Mark("done");
  } else {
    std::vector<std::uint32_t> lengths;
    std::vector<std::string> hashes;
    if (mode == "chunk") {
      lengths = chunker.Split(data);
    } else {
      // --threads 1 stays on this thread; more pipeline boundary finding with hashing (chunk_hash.h).
      std::vector<cs::HashedChunk> chunks;
      if (threads <= 1) {
        chunks = cs::ChunkAndHash(chunker, kind, data, 1);
      } else {
        tbb::task_arena arena(threads);
        arena.execute([&] { chunks = cs::ChunkAndHash(chunker, kind, data, threads); });
      }
      lengths.reserve(chunks.size());
      hashes.reserve(chunks.size());
      for (cs::HashedChunk& chunk : chunks) {
        lengths.push_back(chunk.length);
        hashes.push_back(std::move(chunk.hex));
      }
    }
    claimbench::impl::Mark("done");
    std::size_t offset = 0;
    out.reserve(lengths.size() * (hashes.empty() ? 20 : 90));
    for (std::size_t i = 0; i < lengths.size(); ++i) {
      out += std::to_string(offset);
      out += ' ';
      out += std::to_string(lengths[i]);
      if (!hashes.empty()) {
        out += ' ';
        out += hashes[i];
      }
      out += '\n';
      offset += lengths[i];
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

// The read-states service (service/serve_main.h) handles its own arguments, errors and exit status.
int Serve(const std::vector<std::string>& args) { return claimbench::sync_service::ServeMain(args); }

int Dispatch(const std::string& command, const std::vector<std::string>& args) {
  if (command == "sync") return Sync(args);
  if (command == "restore") return Restore(args);
  if (command == "verify") return Verify(args);
  if (command == "chunk") return Chunk(args);
  if (command == "serve") return Serve(args);
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  throw UsageError("unknown command '" + command + "'");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "sync_engine: error: no command given; run it as one of:\n" << kUsage;
    return 2;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  try {
    return Dispatch(argv[1], args);
  } catch (const UsageError& error) {
    std::cerr << "sync_engine: error: " << error.what() << " (see sync_engine --help)\n";
    return 2;
  } catch (const cs::CorruptError& error) {
    std::cerr << "sync_engine: corrupt: " << error.object() << ": " << error.what() << '\n'
              << "sync_engine: error: " << error.object() << " is corrupt; nothing was restored from it; "
              << "run sync_engine verify --remote STORE for the full list\n";
    return 3;
  } catch (const cs::LocalChangedError& error) {
    std::cerr << "sync_engine: error: " << error.what() << '\n';
    return 4;
  } catch (const std::exception& error) {
    std::cerr << "sync_engine: error: " << error.what() << '\n';
    return 1;
  }
}
