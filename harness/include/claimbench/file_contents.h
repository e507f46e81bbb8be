// Whole-file reads for the workload drivers: a file they prepared, an implementation's output, a golden.
// A file that cannot be read is an error naming the file, never an empty string that a later parse or
// comparison would misreport.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace claimbench {

// The bytes of the file at `path`. Throws SetupError with one line naming `path` and why (missing, a
// directory, no permission, a read error).
std::string ReadWholeFile(const std::filesystem::path& path);

// The same, but a file that does not exist is nullopt: a cache stamp not written yet, an output an
// implementation may not have made. Any other failure throws as ReadWholeFile does.
std::optional<std::string> ReadFileIfPresent(const std::filesystem::path& path);

}  // namespace claimbench
