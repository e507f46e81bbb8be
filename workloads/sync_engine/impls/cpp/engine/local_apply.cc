// Making DIR equal to the merged tree: staged downloads, deletes, moves through a journal, placement
// parents first, and the recovery of what a killed sync left staged.
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <vector>

#include "crash_hook.h"
#include "errors.h"
#include "file_io.h"
#include "local_state.h"
#include "local_tree.h"
#include "reconcile.h"

namespace claimbench::sync {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// rename(2) that refuses to replace an existing name.
bool RenameNoReplace(const std::string& from, const std::string& to) {
  return ::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0;
}

// `name` in `parent_path`, or a conflicted-copy name there that is free.
std::string FreePath(const std::string& parent_path, const std::string& name, const std::string& replica) {
  std::string path = parent_path + "/" + name;
  for (int n = 1; Lstat(path); ++n) path = parent_path + "/" + ConflictedName(name, replica, n);
  return path;
}

}  // namespace

std::map<std::string, std::string> StageDownloads(const std::string& dir, const LocalScan& scan,
                                                  const Tree& merged, const Store& store, ApplyStats& stats) {
  std::map<std::string, std::string> staged;
  std::string tmp = StatePath(dir, "tmp");
  for (const auto& [id, node] : merged.nodes) {
    if (node.is_dir) continue;
    const Node* have = scan.tree.Find(id);
    if (have != nullptr && have->hash == node.hash) continue;
    std::string path = tmp + "/dl-" + std::to_string(staged.size());
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) throw SystemError("cannot create", path);
    try {
      for (const ChunkRef& chunk : node.chunks) {
        std::vector<std::uint8_t> data = store.ReadChunk(chunk.hash, chunk.length);
        WriteAll(fd, data, path);
        stats.bytes_downloaded += data.size();
        CrashPoint();
      }
    } catch (...) {
      ::close(fd);
      ::unlink(path.c_str());
      throw;
    }
    ::close(fd);
    ++stats.files_downloaded;
    staged[id] = path;
  }
  return staged;
}

BaseState ApplyLocal(const std::string& dir, const LocalScan& scan, const Tree& merged,
                     const std::map<std::string, std::string>& staged, const std::string& replica,
                     ApplyStats& stats) {
  const Tree& local = scan.tree;
  std::string tmp = StatePath(dir, "tmp");

  // Where each local node is now: (parent id, name), or staged in tmp/ under a name (parent "\x01").
  const std::string kStaged = "\x01";
  std::map<std::string, std::pair<std::string, std::string>> where;
  for (const auto& [id, node] : local.nodes) where[id] = {node.parent, node.name};
  std::function<std::string(const std::string&)> path_of = [&](const std::string& id) -> std::string {
    const auto& [parent, name] = where.at(id);
    if (parent == kStaged) return tmp + "/" + name;
    return (parent.empty() ? dir : path_of(parent)) + "/" + name;
  };
  auto unchanged = [&](const std::string& id) {
    std::optional<struct stat> st = Lstat(path_of(id));
    return st && RecordOf(*st) == scan.records.at(id);
  };
  auto require_unchanged = [&](const std::string& id) {
    if (!local.nodes.at(id).is_dir && !unchanged(id)) {
      throw LocalChangedError("local folder changed during sync (" + path_of(id) +
                              "); nothing was lost; run sync again");
    }
  };

  // Plan, and check that nothing the plan replaces or removes changed since the scan.
  std::vector<std::string> delete_files, delete_dirs, moves;
  for (const auto& [id, node] : local.nodes) {
    const Node* target = merged.Find(id);
    if (target == nullptr) {
      (node.is_dir ? delete_dirs : delete_files).push_back(id);
    } else if (!node.SameLocation(*target)) {
      moves.push_back(id);
    }
    if (target == nullptr || staged.count(id)) require_unchanged(id);
  }

  // The journal first: the next sync puts back whatever a crash leaves staged.
  std::vector<std::string> to_stage = moves;
  to_stage.insert(to_stage.end(), delete_dirs.begin(), delete_dirs.end());
  json journal = json::array();
  for (const std::string& id : to_stage) {
    std::string relative = fs::relative(path_of(id), dir).generic_string();
    journal.push_back({{"staged", "mv-" + id}, {"path", relative}});
  }
  if (!to_stage.empty()) WriteStateFile(dir, "journal.json", journal.dump());

  for (const std::string& id : delete_files) {
    require_unchanged(id);
    CrashPoint();
    if (::unlink(path_of(id).c_str()) != 0 && errno != ENOENT)
      throw SystemError("cannot remove", path_of(id));
    ++stats.deleted_local;
  }
  for (const std::string& id : to_stage) {
    std::string from = path_of(id);
    std::string to = tmp + "/mv-" + id;
    CrashPoint();
    if (::rename(from.c_str(), to.c_str()) != 0) throw SystemError("cannot move", from);
    where[id] = {kStaged, "mv-" + id};
  }

  // Place the merged tree, parents first.
  std::map<std::string, std::string> target_paths = NodePaths(merged);
  std::vector<std::pair<std::size_t, std::string>> order;
  for (const auto& [id, path] : target_paths)
    order.emplace_back(std::count(path.begin(), path.end(), '/'), id);
  std::sort(order.begin(), order.end());
  for (const auto& [depth, id] : order) {
    const Node& node = merged.nodes.at(id);
    std::string final_path = dir + "/" + target_paths.at(id);
    bool existed = local.Find(id) != nullptr;
    auto staged_file = staged.find(id);
    CrashPoint();
    if (staged_file != staged.end()) {
      if (existed && where.at(id).first != kStaged) {
        require_unchanged(id);  // in place: replace it
        if (::rename(staged_file->second.c_str(), final_path.c_str()) != 0)
          throw SystemError("cannot write", final_path);
      } else {
        if (existed) {  // moved and replaced: the old version's content is in the store already
          require_unchanged(id);
          ::unlink(path_of(id).c_str());
        }
        if (!RenameNoReplace(staged_file->second, final_path)) {
          throw LocalChangedError("local folder changed during sync (" + final_path +
                                  " appeared); nothing was lost; run sync again");
        }
      }
    } else if (existed && where.at(id).first == kStaged) {
      if (!RenameNoReplace(path_of(id), final_path)) {
        throw LocalChangedError("local folder changed during sync (" + final_path +
                                " appeared); nothing was lost; run sync again");
      }
    } else if (!existed && node.is_dir) {
      if (::mkdir(final_path.c_str(), 0777) != 0 && errno != EEXIST)
        throw SystemError("cannot create", final_path);
    }
    where[id] = {node.parent, node.name};
  }

  // Remove the deleted dirs, deepest first; one that holds something the scan did not see goes back.
  for (auto it = delete_dirs.rbegin(); it != delete_dirs.rend(); ++it) {
    std::string path = path_of(*it);
    std::error_code ec;
    bool empty_tree = true;
    for (auto walk = fs::recursive_directory_iterator(path, ec);
         !ec && walk != fs::recursive_directory_iterator(); walk.increment(ec)) {
      if (!walk->is_directory(ec) || walk->is_symlink(ec)) empty_tree = false;
    }
    CrashPoint();
    if (empty_tree) {
      fs::remove_all(path, ec);
      ++stats.deleted_local;
    }
  }
  RecoverLocal(dir, replica);  // whatever could not be removed goes back into the folder

  BaseState next;
  next.tree = merged;
  for (const auto& [id, path] : target_paths) {
    std::optional<struct stat> st = Lstat(dir + "/" + path);
    if (st) next.records[id] = RecordOf(*st);
  }
  return next;
}

void RecoverLocal(const std::string& dir, const std::string& replica) {
  std::string tmp = StatePath(dir, "tmp");
  std::error_code ec;
  fs::create_directories(tmp, ec);
  if (ec) throw UsageError("cannot create " + tmp + ": " + ec.message());
  std::optional<std::string> text = ReadStateFile(dir, "journal.json");
  if (text) {
    json journal;
    try {
      journal = json::parse(*text);
    } catch (const json::exception& error) {
      throw CorruptError(std::string(kStateDir) + "/journal.json",
                         std::string("unreadable (") + error.what() + "); move " + tmp +
                             "'s mv-* entries back by hand, remove the journal and sync again");
    }
    for (auto it = journal.rbegin(); it != journal.rend(); ++it) {
      std::string staged = tmp + "/" + it->at("staged").get<std::string>();
      if (!Lstat(staged)) continue;
      fs::path original = fs::path(dir) / it->at("path").get<std::string>();
      fs::create_directories(original.parent_path(), ec);
      std::string to = FreePath(original.parent_path().string(), original.filename().string(), replica);
      CrashPoint();
      if (::rename(staged.c_str(), to.c_str()) != 0) throw SystemError("cannot put back", staged);
    }
    CrashPoint();
    ::unlink(StatePath(dir, "journal.json").c_str());
  }
  // Staged downloads and half-written state files: their content is in the store or was never committed.
  for (const auto& entry : fs::directory_iterator(tmp, ec)) {
    if (entry.path().filename().string().rfind("mv-", 0) == 0) continue;  // only the journal may remove these
    fs::remove_all(entry.path(), ec);
  }
}

}  // namespace claimbench::sync
