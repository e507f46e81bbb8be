// A read-only memory mapping of a whole file (RAII). Columns are used in place: loading is mmap, and the
// pages are populated up front so that the first query does not time page faults.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>

namespace claimbench::columnar {

class MappedFile {
 public:
  // Maps `path` read-only and populates its pages. Throws DataError (the path, the errno text) when the
  // file cannot be opened, stat'ed or mapped. An empty file maps to an empty span.
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&&) = delete;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const std::byte> bytes() const { return {data_, size_}; }

 private:
  const std::byte* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace claimbench::columnar
