#include "generate.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "atomic_manifest.h"
#include "manifest.h"
#include "tbl_import.h"
#include "tpch_schema.h"

extern char** environ;

namespace claimbench::columnar {
namespace {

namespace fs = std::filesystem;

}  // namespace

void RunProgram(const std::vector<std::string>& argv, const fs::path& stdout_path) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!stdout_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  pid_t pid = 0;
  const int error = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    throw DataError(fmt::format("cannot run {} ({}); install it with ./claimbench setup (it is in the project's "
                                ".venv) or pass --generator PATH",
                                argv[0], std::strerror(error)));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw DataError(fmt::format("{} failed (status {}); its messages are above", fmt::join(argv, " "), status));
  }
}

namespace {

std::string TableList() {
  std::vector<std::string> names;
  for (const TableDef& table : TpchTables()) names.emplace_back(table.name);
  return fmt::format("{}", fmt::join(names, ","));
}

}  // namespace

std::string GeneratorVersion(const std::string& generator) {
  const fs::path temp = fs::temp_directory_path() / fmt::format("claimbench-genversion-{}", ::getpid());
  RunProgram({generator, "--version"}, temp);
  std::string version;
  if (std::FILE* file = std::fopen(temp.c_str(), "r")) {
    std::array<char, 256> line{};
    if (std::fgets(line.data(), line.size(), file) != nullptr) version = line.data();
    std::fclose(file);
  }
  fs::remove(temp);
  while (!version.empty() && (version.back() == '\n' || version.back() == '\r')) version.pop_back();
  return version;
}

void Generate(const GenerateOptions& options) {
  const fs::path out = options.out_dir;
  fs::remove_all(out);
  fs::create_directories(out);
  const fs::path tbl_dir = out / "tbl-tmp";
  const std::string tables = TableList();
  RunProgram({options.generator, "tbl", "-s", options.scale_factor, "--tables", tables, "-o", tbl_dir.string()});
  Manifest manifest;
  manifest.scale_factor = options.scale_factor;
  manifest.generator = GeneratorVersion(options.generator);
  for (const TableDef& table : TpchTables()) {
    manifest.tables.push_back(ImportTbl(table, tbl_dir / fmt::format("{}.tbl", table.name), out));
  }
  fs::remove_all(tbl_dir);
  if (options.parquet) {
    RunProgram({options.generator, "parquet", "-s", options.scale_factor, "--tables", tables, "-o",
                (out / "parquet").string()});
  }
  WriteManifest(out, manifest);
}

}  // namespace claimbench::columnar
