#include "claimbench/file_contents.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "claimbench/error.h"

namespace claimbench {
namespace {

std::optional<std::string> Read(const std::filesystem::path& path, bool absent_is_error) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw SetupError(fmt::format("{}: is a directory, not a file", path.string()));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    if (error == ENOENT && !absent_is_error) return std::nullopt;
    throw SetupError(fmt::format("cannot read {}: {}", path.string(), std::strerror(error)));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw SetupError(fmt::format("cannot read {}: a read error part-way through", path.string()));
  return std::move(content).str();
}

}  // namespace

std::string ReadWholeFile(const std::filesystem::path& path) { return *Read(path, true); }

std::optional<std::string> ReadFileIfPresent(const std::filesystem::path& path) { return Read(path, false); }

}  // namespace claimbench
