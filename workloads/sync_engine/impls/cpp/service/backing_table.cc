#include "backing_table.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace claimbench::sync_service {
namespace {

// Record: [0..7] user, [8..15] channel, [16..23] last_read_message_id, [24..27] mention_count,
// [28..31] 1 once written (a hole in the sparse file reads as zeros: never written).
constexpr size_t kRecordBytes = 32;

std::runtime_error IoError(const char* what) {
  return std::runtime_error(std::string("backing table: ") + what + ": " + std::strerror(errno));
}

}  // namespace

BackingTable::BackingTable(const std::filesystem::path& path, uint64_t keys) : keys_(keys) {
  fd_ = path.empty() ? ::memfd_create("read_states_backing", MFD_CLOEXEC)
                     : ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    std::string name = "in memory";
    if (!path.empty()) name = std::string(1, '\'').append(path.string()).append(1, '\'');
    throw std::runtime_error("cannot create the backing table " + name + ": " + std::strerror(errno) +
                             (path.empty() ? "" : "; pass --backing FILE in a writable directory"));
  }
  if (::ftruncate(fd_, static_cast<off_t>(keys * kRecordBytes)) != 0) {
    int saved = errno;
    ::close(fd_);
    errno = saved;
    throw IoError("cannot size the file");
  }
}

BackingTable::~BackingTable() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<ReadState> BackingTable::Read(const Key& key) const {
  std::optional<uint64_t> index = IndexOfKey(key, keys_);
  if (!index) return std::nullopt;
  unsigned char record[kRecordBytes];
  ssize_t n = ::pread(fd_, record, kRecordBytes, static_cast<off_t>(*index * kRecordBytes));
  if (n != static_cast<ssize_t>(kRecordBytes)) throw IoError("read failed");
  if (wire::GetU32(record + 28) != 1) return std::nullopt;
  if (wire::GetU64(record) != key.user || wire::GetU64(record + 8) != key.channel) {
    throw std::runtime_error(
        "backing table: a record holds the wrong key (the file was changed under the service)");
  }
  return ReadState{wire::GetU64(record + 16), wire::GetU32(record + 24)};
}

void BackingTable::Write(const std::vector<StoredState>& records) {
  unsigned char record[kRecordBytes];
  for (const StoredState& stored : records) {
    std::optional<uint64_t> index = IndexOfKey(stored.key, keys_);
    if (!index) continue;  // the store only holds keys of the key space
    wire::PutU64(record, stored.key.user);
    wire::PutU64(record + 8, stored.key.channel);
    wire::PutU64(record + 16, stored.state.last_read_message_id);
    wire::PutU32(record + 24, stored.state.mention_count);
    wire::PutU32(record + 28, 1);
    ssize_t n = ::pwrite(fd_, record, kRecordBytes, static_cast<off_t>(*index * kRecordBytes));
    if (n != static_cast<ssize_t>(kRecordBytes)) throw IoError("write failed");
  }
}

}  // namespace claimbench::sync_service
