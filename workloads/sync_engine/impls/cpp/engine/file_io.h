// Small POSIX file helpers the store, the local side and restore share.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

namespace claimbench::sync {

// "<what> <path>: <strerror(errno)>".
std::runtime_error SystemError(const std::string& what, const std::string& path);

// Writes all of `data` to `fd` (retrying short writes and EINTR); throws SystemError naming `path`.
// pread until `data` is full; false when the file ends first. Throws on a read error.
bool ReadAt(int fd, std::span<std::uint8_t> data, std::uint64_t offset, const std::string& path);
void WriteAll(int fd, std::span<const std::uint8_t> data, const std::string& path);

// The whole file, or nullopt when it does not exist; throws SystemError otherwise.
std::optional<std::string> ReadWholeFile(const std::string& path);

}  // namespace claimbench::sync
