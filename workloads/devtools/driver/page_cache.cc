#include "page_cache.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "claimbench/error.h"
#include "claimbench/unique_fd.h"

namespace claimbench::devtools_workload {
namespace {

namespace fs = std::filesystem;

UniqueFd OpenForReading(const fs::path& file) {
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw SetupError(fmt::format("cannot open {}: {}", file.string(), std::strerror(errno)));
  return fd;
}

}  // namespace

int64_t EvictFromPageCache(const fs::path& root) {
  int64_t files = 0;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(root)) {
    if (entry.symlink_status().type() != fs::file_type::regular) continue;
    UniqueFd fd = OpenForReading(entry.path());
    ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_DONTNEED);
    ++files;
  }
  return files;
}

int64_t ResidentBytes(const fs::path& file) {
  UniqueFd fd = OpenForReading(file);
  const off_t size = ::lseek(fd.get(), 0, SEEK_END);
  if (size <= 0) return 0;
  void* map = ::mmap(nullptr, static_cast<size_t>(size), PROT_READ, MAP_SHARED, fd.get(), 0);
  if (map == MAP_FAILED)
    throw SetupError(fmt::format("cannot map {}: {}", file.string(), std::strerror(errno)));
  const long page = ::sysconf(_SC_PAGESIZE);
  std::vector<unsigned char> pages((static_cast<size_t>(size) + page - 1) / page);
  const int result = ::mincore(map, static_cast<size_t>(size), pages.data());
  ::munmap(map, static_cast<size_t>(size));
  if (result != 0)
    throw SetupError(fmt::format("mincore on {} failed: {}", file.string(), std::strerror(errno)));
  int64_t resident = 0;
  for (unsigned char p : pages) resident += (p & 1) ? page : 0;
  return resident;
}

}  // namespace claimbench::devtools_workload
