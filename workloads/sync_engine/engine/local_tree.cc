#include "local_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <unordered_set>
#include <vector>

#include "crash_hook.h"
#include "errors.h"
#include "file_io.h"
#include "reconcile.h"

namespace claimbench::sync {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kStateDir = ".claimsync";

std::string StatePath(const std::string& dir, const std::string& name) {
  return dir + "/" + kStateDir + "/" + name;
}

DiskRecord RecordOf(const struct stat& st) {
  return {static_cast<std::uint64_t>(S_ISDIR(st.st_mode) ? 0 : st.st_size),
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000LL + st.st_mtim.tv_nsec,
          static_cast<std::uint64_t>(st.st_ino)};
}

std::optional<struct stat> Lstat(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
  return st;
}

// Writes `data` to DIR/.claimsync/<name> by temporary file and rename.
void WriteStateFile(const std::string& dir, const std::string& name, const std::string& data) {
  std::string path = StatePath(dir, name);
  std::string temp = path + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) throw SystemError("cannot create", temp);
  try {
    WriteAll(fd, Bytes(data), temp);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  CrashPoint();
  if (::rename(temp.c_str(), path.c_str()) != 0) throw SystemError("cannot rename into", path);
}

std::optional<std::string> ReadStateFile(const std::string& dir, const std::string& name) {
  return ReadWholeFile(StatePath(dir, name));
}

// rename(2) that refuses to replace an existing name.
bool RenameNoReplace(const std::string& from, const std::string& to) {
  return ::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0;
}

// `name` in `parent_path`, or a conflicted-copy name there that is free.
std::string FreePath(const std::string& parent_path, const std::string& name, const std::string& replica) {
  std::string path = parent_path + "/" + name;
  for (int n = 1; Lstat(path); ++n) path = parent_path + "/" + ConflictedName(name, replica, n);
  return path;
}

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

// The file and chunk hashes of one file; stores its chunks.
struct Hashed {
  Node content;  // size, hash, chunks
  DiskRecord record;
};

}  // namespace

BaseState LoadBase(const std::string& dir, std::size_t digest_hex) {
  BaseState state;
  std::optional<std::string> text = ReadStateFile(dir, "base.json");
  if (!text) return state;
  std::string object = std::string(kStateDir) + "/base.json";
  try {
    json root = json::parse(*text);
    state.tree = TreeFromJson(root.at("tree").get<std::string>(), object, digest_hex);
    for (const auto& [id, record] : root.at("records").items()) {
      state.records[id] = {record.at(0).get<std::uint64_t>(), record.at(1).get<std::int64_t>(),
                           record.at(2).get<std::uint64_t>()};
    }
  } catch (const json::exception& error) {
    throw CorruptError(object, std::string("unreadable local state (") + error.what() +
                                   "); move the folder's .claimsync away and sync again");
  }
  std::optional<struct stat> st = Lstat(StatePath(dir, "base.json"));
  state.saved_mtime_ns = st ? RecordOf(*st).mtime_ns : 0;
  return state;
}

void SaveBase(const std::string& dir, const BaseState& state) {
  json records = json::object();
  for (const auto& [id, record] : state.records) {
    records[id] = json::array({record.size, record.mtime_ns, record.inode});
  }
  json root = {{"version", 1}, {"tree", TreeToJson(state.tree)}, {"records", std::move(records)}};
  WriteStateFile(dir, "base.json", root.dump());
}

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
    content.hash = HashHex(kind, data);
    std::size_t offset = 0;
    for (std::uint32_t length : chunker.Split(data)) {
      std::span<const std::uint8_t> piece = data.subspan(offset, length);
      std::string hex = length == data.size() ? content.hash : HashHex(kind, piece);
      bool first;
      {
        std::lock_guard lock(seen_mutex);
        first = seen.insert(hex).second;
      }
      if (first && store.PutChunk(hex, piece)) {
        chunks_new.fetch_add(1, std::memory_order_relaxed);
        bytes_uploaded.fetch_add(length, std::memory_order_relaxed);
      }
      chunks_total.fetch_add(1, std::memory_order_relaxed);
      content.chunks.push_back({std::move(hex), length});
      offset += length;
    }
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

std::map<std::string, std::string> StageDownloads(const std::string& dir, const LocalScan& scan,
                                                  const Tree& merged, const Store& store, ApplyStats& stats) {
  std::map<std::string, std::string> staged;
  std::string tmp = StatePath(dir, "tmp");
  for (const auto& [id, node] : merged.nodes) {
    if (node.is_dir) continue;
    const Node* have = scan.tree.Find(id);
    if (have != nullptr && have->hash == node.hash) continue;
    std::string path = tmp + "/dl-" + std::to_string(staged.size());
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) throw SystemError("cannot create", path);
    try {
      for (const ChunkRef& chunk : node.chunks) {
        std::vector<std::uint8_t> data = store.ReadChunk(chunk.hash, chunk.length);
        WriteAll(fd, data, path);
        stats.bytes_downloaded += data.size();
        CrashPoint();
      }
    } catch (...) {
      ::close(fd);
      ::unlink(path.c_str());
      throw;
    }
    ::close(fd);
    ++stats.files_downloaded;
    staged[id] = path;
  }
  return staged;
}

BaseState ApplyLocal(const std::string& dir, const LocalScan& scan, const Tree& merged,
                     const std::map<std::string, std::string>& staged, const std::string& replica,
                     ApplyStats& stats) {
  const Tree& local = scan.tree;
  std::string tmp = StatePath(dir, "tmp");

  // Where each local node is now: (parent id, name), or staged in tmp/ under a name (parent "\x01").
  const std::string kStaged = "\x01";
  std::map<std::string, std::pair<std::string, std::string>> where;
  for (const auto& [id, node] : local.nodes) where[id] = {node.parent, node.name};
  std::function<std::string(const std::string&)> path_of = [&](const std::string& id) -> std::string {
    const auto& [parent, name] = where.at(id);
    if (parent == kStaged) return tmp + "/" + name;
    return (parent.empty() ? dir : path_of(parent)) + "/" + name;
  };
  auto unchanged = [&](const std::string& id) {
    std::optional<struct stat> st = Lstat(path_of(id));
    return st && RecordOf(*st) == scan.records.at(id);
  };
  auto require_unchanged = [&](const std::string& id) {
    if (!local.nodes.at(id).is_dir && !unchanged(id)) {
      throw LocalChangedError("local folder changed during sync (" + path_of(id) +
                              "); nothing was lost; run sync again");
    }
  };

  // Plan, and check that nothing the plan replaces or removes changed since the scan.
  std::vector<std::string> delete_files, delete_dirs, moves;
  for (const auto& [id, node] : local.nodes) {
    const Node* target = merged.Find(id);
    if (target == nullptr) {
      (node.is_dir ? delete_dirs : delete_files).push_back(id);
    } else if (!node.SameLocation(*target)) {
      moves.push_back(id);
    }
    if (target == nullptr || staged.count(id)) require_unchanged(id);
  }

  // The journal first: the next sync puts back whatever a crash leaves staged.
  std::vector<std::string> to_stage = moves;
  to_stage.insert(to_stage.end(), delete_dirs.begin(), delete_dirs.end());
  json journal = json::array();
  for (const std::string& id : to_stage) {
    std::string relative = fs::relative(path_of(id), dir).generic_string();
    journal.push_back({{"staged", "mv-" + id}, {"path", relative}});
  }
  if (!to_stage.empty()) WriteStateFile(dir, "journal.json", journal.dump());

  for (const std::string& id : delete_files) {
    require_unchanged(id);
    CrashPoint();
    if (::unlink(path_of(id).c_str()) != 0 && errno != ENOENT)
      throw SystemError("cannot remove", path_of(id));
    ++stats.deleted_local;
  }
  for (const std::string& id : to_stage) {
    std::string from = path_of(id);
    std::string to = tmp + "/mv-" + id;
    CrashPoint();
    if (::rename(from.c_str(), to.c_str()) != 0) throw SystemError("cannot move", from);
    where[id] = {kStaged, "mv-" + id};
  }

  // Place the merged tree, parents first.
  std::map<std::string, std::string> target_paths = NodePaths(merged);
  std::vector<std::pair<std::size_t, std::string>> order;
  for (const auto& [id, path] : target_paths)
    order.emplace_back(std::count(path.begin(), path.end(), '/'), id);
  std::sort(order.begin(), order.end());
  for (const auto& [depth, id] : order) {
    const Node& node = merged.nodes.at(id);
    std::string final_path = dir + "/" + target_paths.at(id);
    bool existed = local.Find(id) != nullptr;
    auto staged_file = staged.find(id);
    CrashPoint();
    if (staged_file != staged.end()) {
      if (existed && where.at(id).first != kStaged) {
        require_unchanged(id);  // in place: replace it
        if (::rename(staged_file->second.c_str(), final_path.c_str()) != 0)
          throw SystemError("cannot write", final_path);
      } else {
        if (existed) {  // moved and replaced: the old version's content is in the store already
          require_unchanged(id);
          ::unlink(path_of(id).c_str());
        }
        if (!RenameNoReplace(staged_file->second, final_path)) {
          throw LocalChangedError("local folder changed during sync (" + final_path +
                                  " appeared); nothing was lost; run sync again");
        }
      }
    } else if (existed && where.at(id).first == kStaged) {
      if (!RenameNoReplace(path_of(id), final_path)) {
        throw LocalChangedError("local folder changed during sync (" + final_path +
                                " appeared); nothing was lost; run sync again");
      }
    } else if (!existed && node.is_dir) {
      if (::mkdir(final_path.c_str(), 0777) != 0 && errno != EEXIST)
        throw SystemError("cannot create", final_path);
    }
    where[id] = {node.parent, node.name};
  }

  // Remove the deleted dirs, deepest first; one that holds something the scan did not see goes back.
  for (auto it = delete_dirs.rbegin(); it != delete_dirs.rend(); ++it) {
    std::string path = path_of(*it);
    std::error_code ec;
    bool empty_tree = true;
    for (auto walk = fs::recursive_directory_iterator(path, ec);
         !ec && walk != fs::recursive_directory_iterator(); walk.increment(ec)) {
      if (!walk->is_directory(ec) || walk->is_symlink(ec)) empty_tree = false;
    }
    CrashPoint();
    if (empty_tree) {
      fs::remove_all(path, ec);
      ++stats.deleted_local;
    }
  }
  RecoverLocal(dir, replica);  // whatever could not be removed goes back into the folder

  BaseState next;
  next.tree = merged;
  for (const auto& [id, path] : target_paths) {
    std::optional<struct stat> st = Lstat(dir + "/" + path);
    if (st) next.records[id] = RecordOf(*st);
  }
  return next;
}

void RecoverLocal(const std::string& dir, const std::string& replica) {
  std::string tmp = StatePath(dir, "tmp");
  std::error_code ec;
  fs::create_directories(tmp, ec);
  if (ec) throw UsageError("cannot create " + tmp + ": " + ec.message());
  std::optional<std::string> text = ReadStateFile(dir, "journal.json");
  if (text) {
    json journal;
    try {
      journal = json::parse(*text);
    } catch (const json::exception& error) {
      throw CorruptError(std::string(kStateDir) + "/journal.json",
                         std::string("unreadable (") + error.what() + "); move " + tmp +
                             "'s mv-* entries back by hand, remove the journal and sync again");
    }
    for (auto it = journal.rbegin(); it != journal.rend(); ++it) {
      std::string staged = tmp + "/" + it->at("staged").get<std::string>();
      if (!Lstat(staged)) continue;
      fs::path original = fs::path(dir) / it->at("path").get<std::string>();
      fs::create_directories(original.parent_path(), ec);
      std::string to = FreePath(original.parent_path().string(), original.filename().string(), replica);
      CrashPoint();
      if (::rename(staged.c_str(), to.c_str()) != 0) throw SystemError("cannot put back", staged);
    }
    CrashPoint();
    ::unlink(StatePath(dir, "journal.json").c_str());
  }
  // Staged downloads and half-written state files: their content is in the store or was never committed.
  for (const auto& entry : fs::directory_iterator(tmp, ec)) {
    if (entry.path().filename().string().rfind("mv-", 0) == 0) continue;  // only the journal may remove these
    fs::remove_all(entry.path(), ec);
  }
}

}  // namespace claimbench::sync
