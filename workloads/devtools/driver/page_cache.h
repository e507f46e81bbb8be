// Cold page cache without root: the search cases' "cold" variant drops the tree's file contents from the
// kernel's page cache before each repetition with posix_fadvise(POSIX_FADV_DONTNEED), file by file. That
// needs only read access, touches no other file on the machine (unlike writing to /proc/sys/vm/drop_caches,
// which needs root and empties every cache of every process), and leaves directory entries and inodes
// cached: "cold" here means cold data, warm metadata (SPEC.md, Search).
#pragma once

#include <cstdint>
#include <filesystem>

namespace claimbench::devtools_workload {

// Asks the kernel to drop the cached pages of every regular file under `root` (symbolic links not
// followed). Returns the number of files advised. The kernel drops clean pages only; pages being written
// back stay. Throws SetupError when a file cannot be opened.
int64_t EvictFromPageCache(const std::filesystem::path& root);

// How many bytes of `file` are in the page cache now (mincore(2) over a read-only mapping). Throws
// SetupError when it cannot be opened or mapped. For tests and for the cases' calibration record.
int64_t ResidentBytes(const std::filesystem::path& file);

}  // namespace claimbench::devtools_workload
