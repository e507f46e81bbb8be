#include "store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "crash_hook.h"
#include "errors.h"
#include "file_io.h"

namespace claimbench::sync {
namespace {

namespace fs = std::filesystem;

// Format 2: a file's content hash is the hash of its chunks' digests (SPEC.md). Format 1 stores, whose
// content hashes are of whole files, are refused with a clear error rather than misread.
constexpr std::string_view kFormatPrefix = "claimbench-sync 2 ";
constexpr std::string_view kFormat1Prefix = "claimbench-sync 1 ";

bool FsyncWanted() {
  static const bool wanted = [] {
    const char* value = std::getenv("CLAIMBENCH_SYNC_FSYNC");
    return value != nullptr && std::string_view(value) == "1";
  }();
  return wanted;
}

void FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

bool IsTemporary(const std::string& name) { return name.rfind(".tmp-", 0) == 0; }

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* handle = ::opendir(dir.c_str());
  if (handle == nullptr) {
    if (errno == ENOENT) return names;
    throw SystemError("cannot list", dir);
  }
  while (dirent* entry = ::readdir(handle)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  ::closedir(handle);
  return names;
}

}  // namespace

Store::Store(std::string dir, HashKind kind) : dir_(std::move(dir)), kind_(kind) {}

Store::Store(Store&& other) noexcept
    : dir_(std::move(other.dir_)),
      kind_(other.kind_),
      lock_fd_(other.lock_fd_),
      temp_counter_(other.temp_counter_.load()) {
  other.lock_fd_ = -1;
}

Store::~Store() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Store Store::Open(const std::string& dir, bool create, std::optional<HashKind> kind) {
  std::error_code ec;
  fs::file_status status = fs::status(dir, ec);
  bool exists = fs::exists(status);
  if (exists && !fs::is_directory(status)) throw UsageError("--remote " + dir + " is not a directory");
  std::optional<std::string> format = exists ? ReadWholeFile(dir + "/format") : std::nullopt;
  if (!format) {
    bool empty = !exists || fs::is_empty(dir, ec);
    if (!create) {
      throw UsageError("--remote " + dir +
                       " is not a sync store (no format file); give the folder a sync created");
    }
    if (!empty) {
      throw UsageError("--remote " + dir +
                       " is neither empty nor a sync store (no format file); give a new or empty folder");
    }
    HashKind new_kind = kind.value_or(HashKind::kSha256);
    if (!exists && !fs::create_directories(dir, ec) && ec) {
      throw UsageError("cannot create --remote " + dir + ": " + ec.message());
    }
    Store store(dir, new_kind);
    for (const char* sub : {"/chunks", "/trees"}) {
      if (::mkdir((dir + sub).c_str(), 0777) != 0 && errno != EEXIST)
        throw SystemError("cannot create", dir + sub);
    }
    std::string line = std::string(kFormatPrefix) + std::string(HashKindName(new_kind)) + "\n";
    store.WriteAtomically(dir, "format", Bytes(line));
    return store;
  }
  std::string_view text = *format;
  HashKind found;
  if (text == std::string(kFormatPrefix) + "sha256\n") {
    found = HashKind::kSha256;
  } else if (text == std::string(kFormatPrefix) + "fast\n") {
    found = HashKind::kFast;
  } else if (text.starts_with(kFormat1Prefix)) {
    throw UsageError(
        "the store " + dir +
        " is in format 1 (content hashes of whole files), which this sync_engine no longer "
        "reads; restore it with the sync_engine that wrote it and sync the folder into a new store");
  } else {
    throw CorruptError("format",
                       "expected 'claimbench-sync 2 sha256' or 'claimbench-sync 2 fast' and a newline");
  }
  if (kind && *kind != found) {
    throw UsageError("the store " + dir + " uses --hash " + std::string(HashKindName(found)) +
                     "; sync it with that");
  }
  return Store(dir, found);
}

void Store::Lock() {
  std::string path = dir_ + "/lock";
  lock_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (lock_fd_ < 0) throw SystemError("cannot open", path);
  while (::flock(lock_fd_, LOCK_EX) != 0) {
    if (errno != EINTR) throw SystemError("cannot lock", path);
  }
}

void Store::WriteAtomically(const std::string& dir, const std::string& name,
                            std::span<const std::uint8_t> data) {
  std::string temp = dir + "/.tmp-" + std::to_string(::getpid()) + "-" +
                     std::to_string(temp_counter_.fetch_add(1, std::memory_order_relaxed));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) throw SystemError("cannot create", temp);
  try {
    // Two writes, so that a crash point falls between them: a partial temporary file.
    std::size_t half = data.size() / 2;
    WriteAll(fd, data.first(half), temp);
    CrashPoint();
    WriteAll(fd, data.subspan(half), temp);
  } catch (...) {
    ::close(fd);
    ::unlink(temp.c_str());
    throw;
  }
  if (FsyncWanted() && ::fsync(fd) != 0) {
    ::close(fd);
    throw SystemError("cannot fsync", temp);
  }
  ::close(fd);
  CrashPoint();
  if (::rename(temp.c_str(), (dir + "/" + name).c_str()) != 0) {
    ::unlink(temp.c_str());
    throw SystemError("cannot rename into", dir + "/" + name);
  }
  if (FsyncWanted()) FsyncDir(dir);
}

bool Store::HasChunk(const std::string& hex) const {
  struct stat st {};
  return ::stat((dir_ + "/chunks/" + hex.substr(0, 2) + "/" + hex).c_str(), &st) == 0;
}

bool Store::PutChunk(const std::string& hex, std::span<const std::uint8_t> data) {
  if (HasChunk(hex)) return false;
  std::string sub = dir_ + "/chunks/" + hex.substr(0, 2);
  // A stat is far cheaper than a mkdir that fails with EEXIST, and most chunks go to a folder that exists.
  struct stat st {};
  if (::stat(sub.c_str(), &st) != 0 && ::mkdir(sub.c_str(), 0777) != 0 && errno != EEXIST) {
    throw SystemError("cannot create", sub);
  }
  WriteAtomically(sub, hex, data);
  return true;
}

std::vector<std::uint8_t> Store::ReadChunk(const std::string& hex, std::uint64_t length) const {
  std::string object = "chunks/" + hex.substr(0, 2) + "/" + hex;
  std::optional<std::string> data = ReadWholeFile(dir_ + "/" + object);
  if (!data) throw CorruptError(object, "missing");
  if (data->size() != length) {
    throw CorruptError(
        object, "length " + std::to_string(data->size()) + ", the tree says " + std::to_string(length));
  }
  if (HashHex(kind_, Bytes(*data)) != hex) throw CorruptError(object, "hash mismatch");
  return {data->begin(), data->end()};
}

std::string Store::Head() const {
  std::optional<std::string> head = ReadWholeFile(dir_ + "/HEAD");
  if (!head) return {};
  std::size_t digits = DigestSize(kind_) * 2;
  if (head->size() != digits + 1 || head->back() != '\n' || !IsLowerHex(head->substr(0, digits), digits)) {
    throw CorruptError("HEAD", "expected a tree hash and a newline");
  }
  return head->substr(0, digits);
}

Tree Store::ReadTree(const std::string& hex) const {
  std::string object = "trees/" + hex;
  std::optional<std::string> data = ReadWholeFile(dir_ + "/" + object);
  if (!data) throw CorruptError(object, "missing (HEAD or a tree names it)");
  if (HashHex(kind_, Bytes(*data)) != hex) throw CorruptError(object, "hash mismatch");
  Tree tree = TreeFromJson(*data, object, DigestSize(kind_) * 2);
  for (const auto& [id, node] : tree.nodes) {
    if (!node.is_dir && ContentHash(kind_, node.chunks) != node.hash) {
      throw CorruptError(object, "file " + node.name + ": its chunks do not give its content hash");
    }
  }
  return tree;
}

Tree Store::ReadHead() const {
  std::string head = Head();
  return head.empty() ? Tree{} : ReadTree(head);
}

std::string Store::PutTree(const Tree& tree) {
  std::string json = TreeToJson(tree);
  std::string hex = HashHex(kind_, Bytes(json));
  struct stat st {};
  if (::stat((dir_ + "/trees/" + hex).c_str(), &st) != 0) WriteAtomically(dir_ + "/trees", hex, Bytes(json));
  return hex;
}

void Store::SetHead(const std::string& hex) { WriteAtomically(dir_, "HEAD", Bytes(hex + "\n")); }

void Store::RemoveTemporaries() {
  auto sweep = [](const std::string& dir) {
    for (const std::string& name : ListDir(dir)) {
      if (IsTemporary(name)) ::unlink((dir + "/" + name).c_str());
    }
  };
  sweep(dir_);
  sweep(dir_ + "/trees");
  for (const std::string& sub : ListDir(dir_ + "/chunks")) sweep(dir_ + "/chunks/" + sub);
}

VerifyReport Store::Verify() const {
  VerifyReport report;
  std::size_t digits = DigestSize(kind_) * 2;
  std::map<std::string, std::uint64_t> chunk_sizes;  // the good chunks
  for (const std::string& sub : ListDir(dir_ + "/chunks")) {
    for (const std::string& name : ListDir(dir_ + "/chunks/" + sub)) {
      if (IsTemporary(name)) continue;
      std::string object = "chunks/" + sub + "/" + name;
      if (!IsLowerHex(name, digits) || name.substr(0, 2) != sub) {
        report.problems.push_back(object + ": not a chunk name");
        continue;
      }
      std::optional<std::string> data = ReadWholeFile(dir_ + "/" + object);
      ++report.chunks;
      if (!data || HashHex(kind_, Bytes(*data)) != name) {
        report.problems.push_back(object + ": hash mismatch");
        continue;
      }
      report.bytes += data->size();
      chunk_sizes[name] = data->size();
    }
  }
  std::vector<std::string> trees;
  for (const std::string& name : ListDir(dir_ + "/trees")) {
    if (!IsTemporary(name)) trees.push_back(name);
  }
  for (const std::string& name : trees) {
    std::string object = "trees/" + name;
    ++report.manifests;
    try {
      if (!IsLowerHex(name, digits)) throw CorruptError(object, "not a tree name");
      Tree tree = ReadTree(name);
      for (const auto& [id, node] : tree.nodes) {
        for (const ChunkRef& chunk : node.chunks) {
          auto it = chunk_sizes.find(chunk.hash);
          if (it == chunk_sizes.end()) {
            // Missing or already reported as corrupt.
            if (!HasChunk(chunk.hash)) {
              report.problems.push_back(object + ": chunk " + chunk.hash + " of " + node.name +
                                        " is missing");
            }
          } else if (it->second != chunk.length) {
            report.problems.push_back(object + ": chunk " + chunk.hash +
                                      " has another length than the tree says");
          }
        }
      }
    } catch (const CorruptError& error) {
      report.problems.push_back(error.object() + ": " + error.what());
    }
  }
  try {
    std::string head = Head();
    if (!head.empty()) {
      struct stat st {};
      if (::stat((dir_ + "/trees/" + head).c_str(), &st) != 0) {
        report.problems.push_back("HEAD: names trees/" + head + ", which is missing");
      }
    }
  } catch (const CorruptError& error) {
    report.problems.push_back(error.object() + ": " + error.what());
  }
  return report;
}

}  // namespace claimbench::sync
