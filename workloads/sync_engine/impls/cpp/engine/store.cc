#include "store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <stdexcept>

#include "crash_hook.h"
#include "errors.h"
#include "file_io.h"

namespace claimbench::sync {
namespace {

namespace fs = std::filesystem;

// Format 3: chunks live in pack files found through index files (SPEC.md). Format 2 stores (one file per
// chunk) and format 1 stores (content hashes of whole files) are refused with a clear error.
constexpr std::string_view kFormatPrefix = "claimbench-sync 4 ";
constexpr std::string_view kFormat3Prefix = "claimbench-sync 3 ";
constexpr std::string_view kFormat2Prefix = "claimbench-sync 2 ";
constexpr std::string_view kFormat1Prefix = "claimbench-sync 1 ";
constexpr std::uint64_t kDefaultPackTarget = 16 << 20;
constexpr std::uint32_t kOpenPack = UINT32_MAX;         // a chunk in the pack being filled
constexpr std::uint32_t kWritingPack = UINT32_MAX - 1;  // a chunk in a full pack being written

// A file system that cannot sync a directory (EINVAL, ENOTSUP: some network mounts) is not an error, as
// restic's local backend also treats it; any other failure is.
void FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw SystemError("cannot open directory to fsync", dir);
  if (::fsync(fd) != 0 && errno != EINVAL && errno != ENOTSUP) {
    int saved = errno;
    ::close(fd);
    errno = saved;
    throw SystemError("cannot fsync", dir);
  }
  ::close(fd);
}

// A test hook (README.md, Tests): CLAIMBENCH_SYNC_PACK_BYTES=N makes packs roll over at N bytes, so that
// the crash tests reach a sync that has written some of its packs.
std::uint64_t DefaultPackTarget() {
  static const std::uint64_t target = [] {
    const char* value = std::getenv("CLAIMBENCH_SYNC_PACK_BYTES");
    long long bytes = value == nullptr ? 0 : std::atoll(value);
    return bytes > 0 ? static_cast<std::uint64_t>(bytes) : kDefaultPackTarget;
  }();
  return target;
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

struct Location {
  std::uint32_t pack;  // into Packs::names, or kOpenPack
  std::uint64_t offset;
  std::uint64_t length;
};

struct IndexEntry {
  std::string chunk;
  std::uint64_t offset;
  std::uint64_t length;
};

// "<chunk hex> <offset> <length>\n" per chunk, in pack order.
std::vector<IndexEntry> ParseIndex(const std::string& text, const std::string& object, std::size_t digits) {
  std::vector<IndexEntry> entries;
  std::size_t at = 0;
  int line = 0;
  while (at < text.size()) {
    ++line;
    std::size_t end = text.find('\n', at);
    auto bad = [&] {
      return CorruptError(object,
                          "line " + std::to_string(line) + ": expected '<chunk hash> <offset> <length>'");
    };
    if (end == std::string::npos) throw bad();
    std::string_view row(text.data() + at, end - at);
    at = end + 1;
    std::size_t space1 = row.find(' ');
    std::size_t space2 = space1 == std::string_view::npos ? space1 : row.find(' ', space1 + 1);
    if (space2 == std::string_view::npos || !IsLowerHex(row.substr(0, space1), digits)) throw bad();
    auto number = [&](std::string_view digits_text) {
      if (digits_text.empty() || digits_text.size() > 18 ||
          digits_text.find_first_not_of("0123456789") != std::string_view::npos) {
        throw bad();
      }
      return static_cast<std::uint64_t>(std::stoull(std::string(digits_text)));
    };
    entries.push_back({std::string(row.substr(0, space1)),
                       number(row.substr(space1 + 1, space2 - space1 - 1)), number(row.substr(space2 + 1))});
  }
  return entries;
}

// The index's text, which also names its pack: packs/<hash of this text> (SPEC.md, The remote store).
std::string IndexText(const std::vector<IndexEntry>& entries) {
  std::string text;
  for (const IndexEntry& entry : entries) {
    text += entry.chunk;
    text += ' ';
    text += std::to_string(entry.offset);
    text += ' ';
    text += std::to_string(entry.length);
    text += '\n';
  }
  return text;
}

}  // namespace

struct Store::Packs {
  mutable std::mutex mutex;
  std::unordered_map<std::string, Location> index;  // chunk -> where
  std::vector<std::string> names;                   // pack hexes, in load order
  std::vector<std::vector<IndexEntry>> entries;     // per pack, as its index lists them
  // The pack being filled goes straight to a temporary file in packs/ (no copy in memory to fault in).
  int open_fd = -1;
  std::string open_temp;
  std::uint64_t open_size = 0;
  std::vector<IndexEntry> open_entries;
  std::uint64_t target = DefaultPackTarget();
  int writing = 0;                  // packs taken out of `open` and not yet registered
  std::condition_variable written;  // signalled when `writing` drops
};

// A full pack taken out of the open one, finished (synced, renamed, indexed) without the mutex so that
// the hashing threads go on.
struct Store::Sealed {
  int fd = -1;
  std::string temp;
  std::vector<IndexEntry> entries;
};

Store::Store(std::string dir, HashKind kind)
    : dir_(std::move(dir)), kind_(kind), packs_(std::make_unique<Packs>()) {}

Store::Store(Store&& other) noexcept
    : dir_(std::move(other.dir_)),
      kind_(other.kind_),
      lock_fd_(other.lock_fd_),
      durable_(other.durable_),
      temp_counter_(other.temp_counter_.load()),
      packs_(std::move(other.packs_)) {
  other.lock_fd_ = -1;
}

Store::~Store() {
  if (packs_ && packs_->open_fd >= 0) {  // a sync that failed before its last pack: nothing names it
    ::close(packs_->open_fd);
    ::unlink(packs_->open_temp.c_str());
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Store Store::Open(const std::string& dir, bool create, std::optional<HashKind> kind, bool durable) {
  std::error_code ec;
  fs::file_status status = fs::status(dir, ec);
  bool exists = fs::exists(status);
  if (exists && !fs::is_directory(status)) throw UsageError("--remote " + dir + " is not a directory");
  std::optional<std::string> format = exists ? ReadWholeFile(dir + "/format") : std::nullopt;
  if (!format) {
    // A creation killed before the format file leaves only empty subfolders and temporary files: empty.
    bool empty = true;
    for (const std::string& name : ListDir(dir)) {
      bool subfolder = name == "packs" || name == "index" || name == "trees";
      if (!IsTemporary(name) && !(subfolder && fs::is_empty(dir + "/" + name, ec))) empty = false;
    }
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
    store.durable_ = durable;  // the format file's fsync of `dir` also makes the subfolders durable
    for (const char* sub : {"/packs", "/index", "/trees"}) {
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
  } else if (text.starts_with(kFormat3Prefix)) {
    throw UsageError(
        "the store " + dir +
        " is in format 3 (packs named by the hash of their bytes), which this sync_engine no longer reads; "
        "restore it with the sync_engine that wrote it and sync the folder into a new store (format 4)");
  } else if (text.starts_with(kFormat2Prefix)) {
    throw UsageError(
        "the store " + dir +
        " is in format 2 (one file per chunk), which this sync_engine no longer reads; restore it with the "
        "sync_engine that wrote it and sync the folder into a new store (format 4, pack files)");
  } else if (text.starts_with(kFormat1Prefix)) {
    throw UsageError(
        "the store " + dir +
        " is in format 1 (content hashes of whole files), which this sync_engine no longer "
        "reads; restore it with the sync_engine that wrote it and sync the folder into a new store");
  } else {
    throw CorruptError("format",
                       "expected 'claimbench-sync 4 sha256' or 'claimbench-sync 4 fast' and a newline");
  }
  if (kind && *kind != found) {
    throw UsageError("the store " + dir + " uses --hash " + std::string(HashKindName(found)) +
                     "; sync it with that");
  }
  Store store(dir, found);
  store.durable_ = durable;
  store.LoadIndexes();
  return store;
}

void Store::LoadIndexes() {
  std::size_t digits = DigestSize(kind_) * 2;
  std::vector<std::string> names = ListDir(dir_ + "/index");
  std::sort(names.begin(), names.end());  // the same order every time: the first index naming a chunk wins
  for (const std::string& name : names) {
    if (IsTemporary(name)) continue;
    std::string object = "index/" + name;
    if (!IsLowerHex(name, digits)) throw CorruptError(object, "not an index name (the hash of its pack)");
    std::optional<std::string> text = ReadWholeFile(dir_ + "/" + object);
    if (!text) throw CorruptError(object, "vanished while the store was opened");
    std::vector<IndexEntry> entries = ParseIndex(*text, object, digits);
    auto pack = static_cast<std::uint32_t>(packs_->names.size());
    for (const IndexEntry& entry : entries) {
      packs_->index.try_emplace(entry.chunk, Location{pack, entry.offset, entry.length});
    }
    packs_->names.push_back(name);
    packs_->entries.push_back(std::move(entries));
  }
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
  if (durable_ && ::fsync(fd) != 0) {
    ::close(fd);
    throw SystemError("cannot fsync", temp);
  }
  ::close(fd);
  CrashPoint();
  if (::rename(temp.c_str(), (dir + "/" + name).c_str()) != 0) {
    ::unlink(temp.c_str());
    throw SystemError("cannot rename into", dir + "/" + name);
  }
  if (durable_) FsyncDir(dir);
}

bool Store::HasChunk(const std::string& hex) const {
  std::lock_guard lock(packs_->mutex);
  return packs_->index.contains(hex);
}

bool Store::PutChunk(const std::string& hex, std::span<const std::uint8_t> data) {
  Sealed sealed;
  {
    std::lock_guard lock(packs_->mutex);
    Packs& p = *packs_;
    if (p.index.contains(hex)) return false;
    if (p.open_fd < 0) {
      p.open_temp = dir_ + "/packs/.tmp-" + std::to_string(::getpid()) + "-" +
                    std::to_string(temp_counter_.fetch_add(1, std::memory_order_relaxed));
      p.open_fd = ::open(p.open_temp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (p.open_fd < 0) throw SystemError("cannot create", p.open_temp);
    }
    // Appended under the mutex: the writes to one file are serialised by the kernel anyway, and the
    // offset must match the index's.
    WriteAll(p.open_fd, data, p.open_temp);
    p.index.emplace(hex, Location{kOpenPack, p.open_size, data.size()});
    p.open_entries.push_back({hex, p.open_size, data.size()});
    p.open_size += data.size();
    CrashPoint();  // a partial pack: a temporary file the next sync removes
    if (p.open_size < p.target) return true;
    sealed = SealLocked();
  }
  WriteSealed(sealed);
  return true;
}

void Store::Flush() {
  Sealed sealed;
  {
    std::lock_guard lock(packs_->mutex);
    sealed = SealLocked();
  }
  if (!sealed.entries.empty()) WriteSealed(sealed);
  std::unique_lock lock(packs_->mutex);
  packs_->written.wait(lock, [&] { return packs_->writing == 0; });
}

Store::Sealed Store::SealLocked() {
  Packs& p = *packs_;
  Sealed sealed{p.open_fd, std::move(p.open_temp), std::move(p.open_entries)};
  p.open_fd = -1;
  p.open_temp = {};
  p.open_entries = {};
  p.open_size = 0;
  if (sealed.entries.empty()) {
    // A temporary pack whose first write failed holds nothing any index will name.
    if (sealed.fd >= 0) {
      ::close(sealed.fd);
      ::unlink(sealed.temp.c_str());
      sealed.fd = -1;
    }
    return sealed;
  }
  for (const IndexEntry& entry : sealed.entries) p.index[entry.chunk].pack = kWritingPack;
  ++p.writing;
  return sealed;
}

void Store::WriteSealed(Sealed& sealed) {
  struct Done {  // registered or not (a failed write), the pack is no longer being written
    Packs& p;
    ~Done() {
      {
        std::lock_guard lock(p.mutex);
        --p.writing;
      }
      p.written.notify_all();
    }
  } done{*packs_};
  // Named by the hash of its index: every chunk's digest is in it, so the name still binds the bytes
  // (as git names a pack by its objects' names) without hashing every byte a second time.
  std::string text = IndexText(sealed.entries);
  std::string name = HashHex(kind_, Bytes(text));
  std::string packs = dir_ + "/packs";
  if (durable_ && ::fsync(sealed.fd) != 0) {
    ::close(sealed.fd);
    throw SystemError("cannot fsync", sealed.temp);
  }
  ::close(sealed.fd);
  CrashPoint();
  // The pack before its index: an index never names a pack that is not there.
  if (::rename(sealed.temp.c_str(), (packs + "/" + name).c_str()) != 0) {
    ::unlink(sealed.temp.c_str());
    throw SystemError("cannot rename into", packs + "/" + name);
  }
  if (durable_) FsyncDir(packs);
  WriteAtomically(dir_ + "/index", name, Bytes(text));
  std::lock_guard lock(packs_->mutex);
  Packs& p = *packs_;
  auto pack = static_cast<std::uint32_t>(p.names.size());
  for (const IndexEntry& entry : sealed.entries) p.index[entry.chunk].pack = pack;
  p.names.push_back(name);
  p.entries.push_back(std::move(sealed.entries));
}

void Store::SetPackTarget(std::uint64_t bytes) {
  std::lock_guard lock(packs_->mutex);
  packs_->target = bytes;
}

std::size_t Store::PackCount() const {
  std::lock_guard lock(packs_->mutex);
  return packs_->names.size();
}

std::vector<std::uint8_t> Store::ReadChunk(const std::string& hex, std::uint64_t length) const {
  Location where{};
  std::string pack;
  {
    std::unique_lock lock(packs_->mutex);
    auto it = packs_->index.find(hex);
    if (it != packs_->index.end() && it->second.pack == kWritingPack) {
      packs_->written.wait(lock, [&] { return packs_->writing == 0; });
      it = packs_->index.find(hex);
    }
    if (it == packs_->index.end() || it->second.pack == kWritingPack)
      throw CorruptError("index", "no index names chunk " + hex + ", which a tree needs");
    where = it->second;
    if (where.pack == kOpenPack) {  // written by this sync, still in its temporary file
      std::vector<std::uint8_t> data(where.length);
      if (!ReadAt(packs_->open_fd, data, where.offset, packs_->open_temp))
        throw std::runtime_error("the open pack " + packs_->open_temp + " is shorter than its index");
      return data;
    }
    pack = packs_->names[where.pack];
  }
  std::string object = "packs/" + pack;
  if (where.length != length) {
    throw CorruptError("index/" + pack, "chunk " + hex + " has length " + std::to_string(where.length) +
                                            ", the tree says " + std::to_string(length));
  }
  std::string path = dir_ + "/" + object;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) throw CorruptError(object, "missing (index/" + pack + " names it)");
    throw SystemError("cannot open", path);
  }
  std::vector<std::uint8_t> data(where.length);
  bool whole;
  try {
    whole = ReadAt(fd, data, where.offset, path);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  if (!whole) {
    throw CorruptError(object, "chunk " + hex + " (offset " + std::to_string(where.offset) + ", length " +
                                   std::to_string(where.length) + ") lies outside the pack");
  }
  if (HashHex(kind_, data) != hex) throw CorruptError(object, "chunk " + hex + ": hash mismatch");
  return data;
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
  Flush();  // the tree's chunks are in written, indexed packs before the tree is
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
  sweep(dir_ + "/packs");
  sweep(dir_ + "/index");
}

VerifyReport Store::Verify() const {
  VerifyReport report;
  std::size_t digits = DigestSize(kind_) * 2;
  std::map<std::string, std::uint64_t> chunk_sizes;  // the good chunks
  std::lock_guard lock(packs_->mutex);
  const Packs& p = *packs_;
  for (std::size_t k = 0; k < p.names.size(); ++k) {
    std::string object = "packs/" + p.names[k];
    std::optional<std::string> data = ReadWholeFile(dir_ + "/" + object);
    report.chunks += p.entries[k].size();
    if (!data) {
      report.problems.push_back(object + ": missing (index/" + p.names[k] + " names it)");
      continue;
    }
    bool all_good = true;
    for (const IndexEntry& entry : p.entries[k]) {
      if (entry.offset > data->size() || entry.length > data->size() - entry.offset) {
        report.problems.push_back(object + ": chunk " + entry.chunk + " (offset " +
                                  std::to_string(entry.offset) + ", length " + std::to_string(entry.length) +
                                  ") lies outside the pack (" + std::to_string(data->size()) + " bytes)");
        all_good = false;
        continue;
      }
      std::span<const std::uint8_t> bytes = Bytes(*data).subspan(entry.offset, entry.length);
      if (HashHex(kind_, bytes) != entry.chunk) {
        report.problems.push_back(object + ": chunk " + entry.chunk + ": hash mismatch");
        all_good = false;
        continue;
      }
      report.bytes += entry.length;
      chunk_sizes.try_emplace(entry.chunk, entry.length);
    }
    // Every chunk checked out, but the pack holds bytes its index does not account for (e.g. appended),
    // or the index is not the one the pack's name says.
    std::uint64_t accounted = 0;
    for (const IndexEntry& entry : p.entries[k]) accounted = std::max(accounted, entry.offset + entry.length);
    if (all_good && accounted != data->size()) {
      report.problems.push_back(object + ": " + std::to_string(data->size()) + " bytes, its index accounts for " +
                                std::to_string(accounted));
    }
    if (HashHex(kind_, Bytes(IndexText(p.entries[k]))) != p.names[k])
      report.problems.push_back("index/" + p.names[k] + ": hash mismatch (a pack's name is the hash of its index)");
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
            if (!p.index.contains(chunk.hash)) {
              report.problems.push_back(object + ": chunk " + chunk.hash + " of " + node.name +
                                        " is missing (no index names it)");
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
