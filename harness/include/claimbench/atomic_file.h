// Atomic whole-file writes, so a crash, a full disk or Ctrl-C never leaves a half-written result behind.
//
// Design: the content goes to a fresh temporary file in the target's own directory (same filesystem, so
// rename(2) is atomic), which is fsync'ed, then renamed over the target, then the directory is fsync'ed
// so the rename itself survives a power cut. Readers therefore see either the old file or the complete
// new one, never a mixture. The cost (two fsyncs) is paid once per result file, never on a hot path.
#pragma once

#include <filesystem>
#include <string_view>

namespace claimbench {

// Replaces the file at `path` with exactly `content` (bytes, written as-is), atomically.
//
// Creates missing parent directories. The temporary file is named ".<filename>.<pid>.<n>.tmp", is opened
// with O_EXCL (so concurrent writers never share one) and gets mode 0666 minus the umask; an existing
// target's mode and owner are not preserved. Symlinks at `path` are replaced, not followed.
//
// Failure: throws SetupError with one line naming `path` and what to check (permissions, disk space,
// a directory in the way). On failure before the rename the temporary file is removed and the old
// target, if any, is untouched. If only the final directory fsync fails, the new content is already in
// place but may not survive a power cut; that is reported as a failure too. A crash (SIGKILL) can leave a
// stale ".*.tmp" file beside the target; it is never mistaken for the target.
//
// Thread-safety: safe to call concurrently, also for the same path (the last rename wins).
void WriteFileAtomically(const std::filesystem::path& path, std::string_view content);

}  // namespace claimbench
