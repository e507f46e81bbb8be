#include "sync.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "crash_hook.h"
#include "errors.h"
#include "file_io.h"
#include "local_tree.h"
#include "reconcile.h"

namespace claimbench::sync {
namespace {

namespace fs = std::filesystem;

// 128 random bits, hex: node ids unique across replicas without coordination.
std::string NewId() {
  std::uint8_t bytes[16];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string("getrandom failed: ") + std::strerror(errno));
    got += static_cast<std::size_t>(n);
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string id;
  for (std::uint8_t b : bytes) {
    id.push_back(kDigits[b >> 4]);
    id.push_back(kDigits[b & 15]);
  }
  return id;
}

std::string DefaultReplica(const std::string& local) {
  std::string name = fs::absolute(local).lexically_normal().filename().string();
  if (name.empty()) name = fs::absolute(local).lexically_normal().parent_path().filename().string();
  return name.empty() ? "root" : name;
}

}  // namespace

std::string StatsToJson(const SyncStats& s) {
  nlohmann::ordered_json json = {{"files_scanned", s.files_scanned},
                                 {"bytes_scanned", s.bytes_scanned},
                                 {"bytes_hashed", s.bytes_hashed},
                                 {"chunks_total", s.chunks_total},
                                 {"chunks_new", s.chunks_new},
                                 {"chunks_deduplicated", s.chunks_deduplicated},
                                 {"bytes_uploaded", s.bytes_uploaded},
                                 {"bytes_downloaded", s.bytes_downloaded},
                                 {"files_uploaded", s.files_uploaded},
                                 {"files_downloaded", s.files_downloaded},
                                 {"deleted_local", s.deleted_local},
                                 {"deleted_remote", s.deleted_remote},
                                 {"moved", s.moved},
                                 {"conflicts", s.conflicts},
                                 {"skipped", s.skipped},
                                 {"tree_hash", s.tree_hash}};
  return json.dump();
}

SyncStats RunSync(const SyncOptions& options, const std::function<void()>& on_ready,
                  const std::function<void()>& on_done) {
  std::string replica = options.replica.empty() ? DefaultReplica(options.local) : options.replica;
  if (replica.find('/') != std::string::npos || replica.find('\0') != std::string::npos || replica == "." ||
      replica == "..") {
    throw UsageError("--replica names conflicted copies, so it cannot contain '/'; got '" + replica + "'");
  }
  std::error_code ec;
  if (!fs::is_directory(options.local, ec)) {
    if (fs::exists(options.local, ec)) throw UsageError("--local " + options.local + " is not a directory");
    if (!fs::create_directories(options.local, ec) && ec) {
      throw UsageError("cannot create --local " + options.local + ": " + ec.message());
    }
  }
  fs::path local_path = fs::weakly_canonical(options.local, ec);
  fs::path remote_path = fs::weakly_canonical(options.remote, ec);
  auto inside = [](const fs::path& inner, const fs::path& outer) {
    auto [stop, rest] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
    return stop == outer.end();
  };
  if (inside(remote_path, local_path) || inside(local_path, remote_path)) {
    throw UsageError("--local and --remote must not be inside one another; put the store elsewhere");
  }
  Chunker chunker(options.chunking);
  Store store = Store::Open(options.remote, true,
                            options.hash_given ? std::optional<HashKind>(options.hash) : std::nullopt, options.fsync);
  store.Lock();
  store.RemoveTemporaries();
  RecoverLocal(options.local, replica);
  on_ready();

  SyncStats stats;
  BaseState base = LoadBase(options.local, DigestSize(store.kind()) * 2);
  ScanStats scan_stats;
  LocalScan scan =
      ScanLocal(options.local, base, store, chunker, options.threads, options.rehash, NewId, scan_stats);
  std::string head = store.Head();
  Tree remote = store.ReadHead();
  AdoptRemoteIds(scan, base.tree, remote);
  ReconcileResult result = Reconcile(base.tree, scan.tree, remote, replica, NewId);
  Tree& merged = result.merged;

  ApplyStats apply_stats;
  std::map<std::string, std::string> staged = StageDownloads(options.local, scan, merged, store, apply_stats);
  if (merged.nodes != remote.nodes || head.empty()) {
    merged.parent = head;
    store.SetHead(store.PutTree(merged));
  } else {
    merged.parent = remote.parent;
  }
  BaseState next = ApplyLocal(options.local, scan, merged, staged, replica, apply_stats);
  SaveBase(options.local, next);
  on_done();

  stats.files_scanned = scan_stats.files_scanned;
  stats.bytes_scanned = scan_stats.bytes_scanned;
  stats.bytes_hashed = scan_stats.bytes_hashed;
  stats.chunks_total = scan_stats.chunks_total;
  stats.chunks_new = scan_stats.chunks_new;
  stats.chunks_deduplicated = scan_stats.chunks_total - scan_stats.chunks_new;
  stats.bytes_uploaded = scan_stats.bytes_uploaded;
  stats.bytes_downloaded = apply_stats.bytes_downloaded;
  stats.files_downloaded = apply_stats.files_downloaded;
  stats.deleted_local = apply_stats.deleted_local;
  stats.deleted_remote = result.deleted_remote;
  stats.moved = result.moved;
  stats.conflicts = result.conflicts;
  stats.skipped = scan_stats.skipped;
  for (const auto& [id, node] : merged.nodes) {
    const Node* was = remote.Find(id);
    if (!node.is_dir && (was == nullptr || was->hash != node.hash)) ++stats.files_uploaded;
  }
  // Content hashes are not SHA-256 of the bytes (SPEC.md), so the tree hash reads the folder (untimed).
  stats.tree_hash = TreeHashOfFolder(options.local);
  return stats;
}

std::uint64_t RunRestore(const std::string& remote, const std::string& out,
                         const std::function<void()>& on_ready, const std::function<void()>& on_done) {
  std::error_code ec;
  if (fs::exists(out, ec) && (!fs::is_directory(out, ec) || !fs::is_empty(out, ec))) {
    throw UsageError("--out " + out + " must not exist or be an empty folder");
  }
  Store store = Store::Open(remote, false, std::nullopt);
  store.Lock();
  Tree tree = store.ReadHead();
  if (!fs::exists(out, ec) && !fs::create_directories(out, ec) && ec) {
    throw UsageError("cannot create --out " + out + ": " + ec.message());
  }
  on_ready();
  std::map<std::string, std::string> paths = NodePaths(tree);
  std::vector<std::pair<std::size_t, std::string>> order;
  for (const auto& [id, path] : paths) order.emplace_back(std::count(path.begin(), path.end(), '/'), id);
  std::sort(order.begin(), order.end());
  std::uint64_t files = 0;
  try {
    for (const auto& [depth, id] : order) {
      const Node& node = tree.nodes.at(id);
      std::string path = out + "/" + paths.at(id);
      if (node.is_dir) {
        if (::mkdir(path.c_str(), 0777) != 0)
          throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
        continue;
      }
      int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd < 0) throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
      // ReadChunk checks each chunk's hash; ReadTree checked that the chunk list gives the content hash.
      for (const ChunkRef& chunk : node.chunks) {
        std::vector<std::uint8_t> data = store.ReadChunk(chunk.hash, chunk.length);
        try {
          WriteAll(fd, data, path);
        } catch (...) {
          ::close(fd);
          throw;
        }
      }
      ::close(fd);
      ++files;
    }
  } catch (...) {
    // Nothing half-restored: the folder was empty, so everything in it is ours.
    for (const auto& entry : fs::directory_iterator(out, ec)) fs::remove_all(entry.path(), ec);
    throw;
  }
  on_done();
  return files;
}

VerifyReport RunVerify(const std::string& remote) {
  Store store = Store::Open(remote, false, std::nullopt);
  return store.Verify();
}

}  // namespace claimbench::sync
