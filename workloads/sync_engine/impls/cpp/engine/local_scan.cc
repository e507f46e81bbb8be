// The local tree as it is now: the scan of DIR against the base, hashing what changed (in parallel), and
// recognising nodes (by inode, by path, or as the remote's equal new node).
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <unordered_set>
#include <vector>

#include "chunk_hash.h"
#include "errors.h"
#include "file_io.h"
#include "local_state.h"
#include "local_tree.h"

namespace claimbench::sync {
namespace {

struct Entry {
  std::string path;    // relative
  std::string parent;  // relative path of the parent dir, empty at the top
  std::string name;
  bool is_dir;
  DiskRecord record;
};

void Walk(const std::string& root, const std::string& relative, std::vector<Entry>& entries,
          std::uint64_t& skipped) {
  std::string path = relative.empty() ? root : root + "/" + relative;
  DIR* handle = ::opendir(path.c_str());
  if (handle == nullptr) throw UsageError("cannot read the folder " + path + ": " + std::strerror(errno));
  std::vector<std::string> names;
  while (dirent* entry = ::readdir(handle)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (relative.empty() && name == kStateDir) continue;
    names.push_back(std::move(name));
  }
  ::closedir(handle);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    std::string child = relative.empty() ? name : relative + "/" + name;
    std::optional<struct stat> st = Lstat(root + "/" + child);
    if (!st) continue;  // vanished while listed
    if (S_ISDIR(st->st_mode)) {
      entries.push_back({child, relative, name, true, RecordOf(*st)});
      Walk(root, child, entries, skipped);
    } else if (S_ISREG(st->st_mode)) {
      entries.push_back({child, relative, name, false, RecordOf(*st)});
    } else {
      ++skipped;
    }
  }
}

// A file's bytes, mapped read-only.
class Mapped {
 public:
  Mapped(const std::string& path, struct stat& st) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd_ < 0)
      throw LocalChangedError(path + " vanished or became unreadable during the scan; run sync again");
    if (::fstat(fd_, &st) != 0) throw SystemError("cannot stat", path);
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ > 0) {
      void* map = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
      if (map == MAP_FAILED) throw SystemError("cannot map", path);
      ::madvise(map, size_, MADV_SEQUENTIAL);
      data_ = static_cast<const std::uint8_t*>(map);
    }
  }
  ~Mapped() {
    if (data_ != nullptr) ::munmap(const_cast<std::uint8_t*>(data_), size_);
    if (fd_ >= 0) ::close(fd_);
  }
  std::span<const std::uint8_t> bytes() const { return {data_, size_}; }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

// With --threads >= 2, a file of at least this many max-size chunks (1 MiB with the default --max) is
// chunked and hashed by a pipeline over the sync's threads; smaller ones are one task each, in parallel
// with other files.
constexpr std::uint64_t kPipelineChunks = 4;

// The file and chunk hashes of one file; stores its chunks.
struct Hashed {
  Node content;  // size, hash, chunks
  DiskRecord record;
};

}  // namespace

LocalScan ScanLocal(const std::string& dir, const BaseState& base, Store& store, const Chunker& chunker,
                    int threads, bool rehash, const std::function<std::string()>& new_id, ScanStats& stats) {
  std::vector<Entry> entries;
  Walk(dir, "", entries, stats.skipped);

  // Recognise base nodes: by inode first (a rename or move keeps it), then by path (an editor's save by
  // rename makes a new inode at the old path).
  std::map<std::string, std::string> base_paths = NodePaths(base.tree);
  std::map<std::string, std::string> id_by_base_path;
  for (const auto& [id, path] : base_paths) id_by_base_path[path] = id;
  std::map<std::uint64_t, std::string> id_by_inode;
  for (const auto& [id, record] : base.records) {
    if (base.tree.Find(id) != nullptr) id_by_inode[record.inode] = id;
  }
  std::vector<std::string> ids(entries.size());
  std::set<std::string> claimed;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto it = id_by_inode.find(entries[i].record.inode);
    if (it != id_by_inode.end() && base.tree.nodes.at(it->second).is_dir == entries[i].is_dir &&
        claimed.insert(it->second).second) {
      ids[i] = it->second;
    }
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (!ids[i].empty()) continue;
    auto it = id_by_base_path.find(entries[i].path);
    if (it != id_by_base_path.end() && base.tree.nodes.at(it->second).is_dir == entries[i].is_dir &&
        claimed.insert(it->second).second) {
      ids[i] = it->second;
    } else {
      ids[i] = new_id();
    }
  }

  LocalScan scan;
  std::map<std::string, std::string> id_by_path;
  std::vector<std::size_t> to_hash;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Entry& entry = entries[i];
    id_by_path[entry.path] = ids[i];
    Node node;
    node.id = ids[i];
    node.parent = entry.parent.empty() ? std::string() : id_by_path.at(entry.parent);
    node.name = entry.name;
    node.is_dir = entry.is_dir;
    scan.records[node.id] = entry.record;
    if (!entry.is_dir) {
      ++stats.files_scanned;
      stats.bytes_scanned += entry.record.size;
      const Node* known = base.tree.Find(node.id);
      auto record = base.records.find(node.id);
      bool trusted = !rehash && known != nullptr && record != base.records.end() &&
                     record->second == entry.record && entry.record.mtime_ns < base.saved_mtime_ns;
      if (trusted) {
        node.size = known->size;
        node.hash = known->hash;
        node.chunks = known->chunks;
      } else {
        to_hash.push_back(i);
      }
    }
    scan.tree.nodes.emplace(node.id, std::move(node));
  }

  // Hash what changed, in parallel; every chunk goes to the store as soon as it is known.
  std::mutex seen_mutex;
  std::unordered_set<std::string> seen;  // chunks met in this sync: each counted new at most once
  std::atomic<std::uint64_t> bytes_hashed{0}, chunks_total{0}, chunks_new{0}, bytes_uploaded{0};
  std::vector<Hashed> hashed(to_hash.size());
  HashKind kind = store.kind();
  auto hash_one = [&](std::size_t k) {
    const Entry& entry = entries[to_hash[k]];
    std::string path = dir + "/" + entry.path;
    struct stat before {};
    Mapped file(path, before);
    std::span<const std::uint8_t> data = file.bytes();
    Node& content = hashed[k].content;
    content.size = data.size();
    // Every chunk goes to the store as soon as it is hashed (from the pipeline's threads for a large file).
    auto store_chunk = [&](std::span<const std::uint8_t> piece, const std::string& hex) {
      bool first;
      {
        std::lock_guard lock(seen_mutex);
        first = seen.insert(hex).second;
      }
      if (first && store.PutChunk(hex, piece)) {
        chunks_new.fetch_add(1, std::memory_order_relaxed);
        bytes_uploaded.fetch_add(piece.size(), std::memory_order_relaxed);
      }
      chunks_total.fetch_add(1, std::memory_order_relaxed);
    };
    int pipeline = data.size() >= kPipelineChunks * chunker.params().max ? threads : 1;
    for (HashedChunk& chunk : ChunkAndHash(chunker, kind, data, pipeline, store_chunk)) {
      content.chunks.push_back({std::move(chunk.hex), chunk.length});
    }
    content.hash = ContentHash(kind, content.chunks);
    bytes_hashed.fetch_add(data.size(), std::memory_order_relaxed);
    struct stat after {};
    if (::fstat(file.fd(), &after) != 0 || RecordOf(after) != RecordOf(before)) {
      throw LocalChangedError(path + " changed while it was read; run sync again");
    }
    hashed[k].record = RecordOf(before);
  };
  if (threads <= 1) {
    for (std::size_t k = 0; k < to_hash.size(); ++k) hash_one(k);
  } else {
    tbb::task_arena arena(threads);
    arena.execute(
        [&] { tbb::parallel_for(std::size_t{0}, to_hash.size(), [&](std::size_t k) { hash_one(k); }); });
  }
  for (std::size_t k = 0; k < to_hash.size(); ++k) {
    Node& node = scan.tree.nodes.at(ids[to_hash[k]]);
    node.size = hashed[k].content.size;
    node.hash = std::move(hashed[k].content.hash);
    node.chunks = std::move(hashed[k].content.chunks);
    scan.records[node.id] = hashed[k].record;
  }
  stats.bytes_hashed += bytes_hashed;
  stats.chunks_total += chunks_total;
  stats.chunks_new += chunks_new;
  stats.bytes_uploaded += bytes_uploaded;
  return scan;
}

void AdoptRemoteIds(LocalScan& scan, const Tree& base, const Tree& remote) {
  std::map<std::string, std::string> remote_by_path;
  for (const auto& [id, path] : NodePaths(remote)) {
    if (base.Find(id) == nullptr && scan.tree.Find(id) == nullptr) remote_by_path[path] = id;
  }
  if (remote_by_path.empty()) return;
  std::map<std::string, std::string> renamed;  // local id -> remote id
  for (const auto& [id, path] : NodePaths(scan.tree)) {
    auto match = remote_by_path.find(path);
    if (base.Find(id) != nullptr || match == remote_by_path.end()) continue;
    const Node& mine = scan.tree.nodes.at(id);
    const Node& theirs = remote.nodes.at(match->second);
    if (mine.is_dir == theirs.is_dir && (mine.is_dir || mine.hash == theirs.hash))
      renamed[id] = match->second;
  }
  if (renamed.empty()) return;
  Tree tree;
  tree.parent = scan.tree.parent;
  std::map<std::string, DiskRecord> records;
  auto new_id = [&](const std::string& id) {
    auto it = renamed.find(id);
    return it == renamed.end() ? id : it->second;
  };
  for (auto& [id, node] : scan.tree.nodes) {
    Node moved = std::move(node);
    moved.id = new_id(id);
    moved.parent = moved.parent.empty() ? std::string() : new_id(moved.parent);
    if (auto record = scan.records.find(id); record != scan.records.end()) records[moved.id] = record->second;
    std::string key = moved.id;
    tree.nodes.emplace(std::move(key), std::move(moved));
  }
  scan.tree = std::move(tree);
  scan.records = std::move(records);
}

}  // namespace claimbench::sync
