#include "local_state.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "crash_hook.h"
#include "errors.h"
#include "file_io.h"
#include "hasher.h"

namespace claimbench::sync {

using nlohmann::json;

std::string StatePath(const std::string& dir, const std::string& name) {
  return dir + "/" + kStateDir + "/" + name;
}

DiskRecord RecordOf(const struct stat& st) {
  return {static_cast<std::uint64_t>(S_ISDIR(st.st_mode) ? 0 : st.st_size),
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000LL + st.st_mtim.tv_nsec,
          static_cast<std::uint64_t>(st.st_ino)};
}

std::optional<struct stat> Lstat(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
  return st;
}

void WriteStateFile(const std::string& dir, const std::string& name, const std::string& data) {
  std::string path = StatePath(dir, name);
  std::string temp = path + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) throw SystemError("cannot create", temp);
  try {
    WriteAll(fd, Bytes(data), temp);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  CrashPoint();
  if (::rename(temp.c_str(), path.c_str()) != 0) throw SystemError("cannot rename into", path);
}

std::optional<std::string> ReadStateFile(const std::string& dir, const std::string& name) {
  return ReadWholeFile(StatePath(dir, name));
}

BaseState LoadBase(const std::string& dir, std::size_t digest_hex) {
  BaseState state;
  std::optional<std::string> text = ReadStateFile(dir, "base.json");
  if (!text) return state;
  std::string object = std::string(kStateDir) + "/base.json";
  try {
    json root = json::parse(*text);
    if (root.at("version") != 2) {
      throw UsageError(
          "the local state " + dir + "/" + object +
          " was written by a sync_engine of store format 1; move the folder's .claimsync away and "
          "sync again (the files are kept and compared by content)");
    }
    state.tree = TreeFromJson(root.at("tree").get<std::string>(), object, digest_hex);
    for (const auto& [id, record] : root.at("records").items()) {
      state.records[id] = {record.at(0).get<std::uint64_t>(), record.at(1).get<std::int64_t>(),
                           record.at(2).get<std::uint64_t>()};
    }
  } catch (const json::exception& error) {
    throw CorruptError(object, std::string("unreadable local state (") + error.what() +
                                   "); move the folder's .claimsync away and sync again");
  }
  std::optional<struct stat> st = Lstat(StatePath(dir, "base.json"));
  state.saved_mtime_ns = st ? RecordOf(*st).mtime_ns : 0;
  return state;
}

void SaveBase(const std::string& dir, const BaseState& state) {
  json records = json::object();
  for (const auto& [id, record] : state.records) {
    records[id] = json::array({record.size, record.mtime_ns, record.inode});
  }
  json root = {{"version", 2}, {"tree", TreeToJson(state.tree)}, {"records", std::move(records)}};
  WriteStateFile(dir, "base.json", root.dump());
}

}  // namespace claimbench::sync
