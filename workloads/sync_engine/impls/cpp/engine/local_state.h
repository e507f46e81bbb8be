// DIR/.claimsync/, the engine's only state inside a local folder (README.md, Engine): its paths, its
// files written by temporary file and rename, and the disk records of nodes. Internal to the local side.
#pragma once

#include <sys/stat.h>

#include <optional>
#include <string>

#include "local_tree.h"

namespace claimbench::sync {

inline constexpr const char* kStateDir = ".claimsync";

// DIR/.claimsync/<name>.
std::string StatePath(const std::string& dir, const std::string& name);
// Size (0 for dirs), mtime in ns, inode.
DiskRecord RecordOf(const struct stat& st);
// lstat(2), or nullopt when the path does not exist.
std::optional<struct stat> Lstat(const std::string& path);
// Writes `data` to DIR/.claimsync/<name> by temporary file and rename.
void WriteStateFile(const std::string& dir, const std::string& name, const std::string& data);
// DIR/.claimsync/<name>, or nullopt when it does not exist.
std::optional<std::string> ReadStateFile(const std::string& dir, const std::string& name);

}  // namespace claimbench::sync
