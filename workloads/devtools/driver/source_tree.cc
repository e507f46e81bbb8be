#include "source_tree.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>

#include "claimbench/atomic_file.h"
#include "claimbench/error.h"
#include "claimbench/file_contents.h"
#include "claimbench/seeded_random.h"

namespace claimbench::devtools_workload {
namespace {

namespace fs = std::filesystem;
using stats::detail::SeededRandom;

constexpr int kModulesPerPackage = 20;
// Part of the cache folder's name: a change to what the generator writes must not reuse older trees.
constexpr int kGeneratorVersion = 2;
constexpr std::array kVerbs = {"load", "merge", "scale", "split", "format", "parse", "render", "update"};
constexpr std::array kNouns = {"order",  "invoice", "sensor", "ticket",
                               "report", "account", "window", "stream"};
constexpr std::array kWords = {"the", "value", "is", "kept", "for",      "older", "callers",
                               "and", "will",  "go", "away", "when",     "every", "caller",
                               "has", "moved", "to", "new",  "interface"};

template <size_t N>
const char* Pick(SeededRandom& random, const std::array<const char*, N>& words) {
  return words[random.Below(N)];
}

bool OneIn(SeededRandom& random, uint64_t n) { return random.Below(n) == 0; }

// One module's lines, with the findings planted in it (path set by the caller).
class ModuleWriter {
 public:
  ModuleWriter(std::string path, SeededRandom& random) : path_(std::move(path)), random_(random) {}

  std::string Write(const std::string& module_name, uint64_t seed, std::vector<Finding>& planted) {
    Line(fmt::format("\"\"\"Generated module {} (claimbench devtools, seed {}).\"\"\"", module_name, seed));
    Line("");
    Line("import os");
    if (OneIn(random_, 3)) Plant("import json", "F401");
    Line("");
    const uint64_t limit = random_.Below(1000);
    Comment("");
    Line(fmt::format("LIMIT = {}", limit));
    const int functions = 6 + static_cast<int>(random_.Below(15));
    for (int i = 0; i < functions; ++i) Function(i);
    const int classes = 1 + static_cast<int>(random_.Below(2));
    for (int j = 0; j < classes; ++j) Class(j);
    for (Finding& f : planted_) planted.push_back(std::move(f));
    return text_;
  }

 private:
  void Line(const std::string& line) {
    text_ += line;
    text_ += '\n';
    ++line_number_;
  }

  void Plant(const std::string& line, const char* rule) {
    planted_.push_back({path_, line_number_ + 1, rule});
    Line(line);
  }

  // A comment that sometimes says "deprecated" in one of its spellings: the case-insensitive search's hits.
  void Comment(const std::string& indent) {
    static constexpr std::array kComments = {
        "# Helpers for the {} records.", "# Deprecated: use the {} module.",
        "# DEPRECATED since 2.0: {} moved.", "# Keep in step with the {} API."};
    Line(indent + fmt::format(fmt::runtime(Pick(random_, kComments)), Pick(random_, kNouns)));
  }

  void Function(int i) {
    Line("");
    Line("");
    const char* noun = Pick(random_, kNouns);
    Line(fmt::format("def {}_{}_{}(alpha, beta):", Pick(random_, kVerbs), noun, i));
    Line(fmt::format("    \"\"\"Return the {} of alpha and beta.\"\"\"", noun));
    const std::string total = fmt::format("    total = alpha + beta * {}", 1 + random_.Below(9));
    if (OneIn(random_, 6)) {
      Plant(total + "  ", "W291");
    } else {
      Line(total);
    }
    if (OneIn(random_, 5)) Plant(fmt::format("    leftover_{} = alpha - beta", i), "F841");
    if (OneIn(random_, 6)) {
      Plant("    if beta == None:", "E711");
      Line("        return None");
    }
    if (OneIn(random_, 4)) Comment("    ");
    Line("    if total > LIMIT:");
    Line("        return os.path.join(str(alpha), str(beta))");
    if (OneIn(random_, 7)) {
      std::string note = "    note = \"";
      while (note.size() < 104) note += std::string(Pick(random_, kWords)) + " ";
      note.back() = '"';
      Plant(note, "E501");
      Line("    total = total + len(note)");
    }
    if (OneIn(random_, 8)) Plant(fmt::format("    total = total + missing_{}", i), "F821");
    Line("    if total < 0:");
    Line("        return None");
    Line("    return total");
  }

  void Class(int j) {
    Line("");
    Line("");
    const char* noun = Pick(random_, kNouns);
    std::string name = noun;
    name[0] = static_cast<char>(name[0] - 'a' + 'A');
    Line(fmt::format("class {}Record{}:", name, j));
    Line(OneIn(random_, 3) ? fmt::format("    \"\"\"A {} record; its old name is deprecated.\"\"\"", noun)
                           : fmt::format("    \"\"\"A {} record.\"\"\"", noun));
    Line("");
    Line("    def __init__(self, value):");
    Line("        self.value = value");
    Line("");
    Line(fmt::format("    def scaled_{}(self, factor):", random_.Below(100)));
    Line("        return self.value * factor");
    Line("");
    Line("    def describe(self):");
    Line("        if self.value is None:");
    Line("            return None");
    Line("        return str(self.value)");
  }

  std::string path_;
  SeededRandom& random_;
  std::string text_;
  int64_t line_number_ = 0;
  std::vector<Finding> planted_;
};

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out.flush())
    throw SetupError(fmt::format("cannot write {}; check the disk space and permissions", path.string()));
}

std::string ManifestText(const SourceTree& tree) {
  std::string text = fmt::format("files {}\nbytes {}\nlines {}\n", tree.files, tree.bytes, tree.lines);
  for (const Finding& f : tree.planted) text += fmt::format("finding {} {} {}\n", f.path, f.line, f.rule);
  return text;
}

SourceTree ReadManifest(const fs::path& dir) {
  SourceTree tree;
  tree.root = dir / "src";
  std::istringstream in(ReadWholeFile(dir / "manifest.txt"));
  for (std::string key; in >> key;) {
    if (key == "files") {
      in >> tree.files;
    } else if (key == "bytes") {
      in >> tree.bytes;
    } else if (key == "lines") {
      in >> tree.lines;
    } else if (key == "finding") {
      Finding f;
      in >> f.path >> f.line >> f.rule;
      tree.planted.push_back(std::move(f));
    } else {
      throw SetupError(fmt::format("{} has an unknown line '{}'; remove the folder to generate it again",
                                   (dir / "manifest.txt").string(), key));
    }
  }
  if (!in.eof() || tree.files == 0) {
    throw SetupError(fmt::format("{} is malformed; remove the folder to generate it again",
                                 (dir / "manifest.txt").string()));
  }
  std::sort(tree.planted.begin(), tree.planted.end());
  return tree;
}

}  // namespace

SourceTree GenerateSourceTree(const SourceTreeSpec& spec, const fs::path& dir) {
  SourceTree tree;
  tree.root = dir / "src";
  SeededRandom random(spec.seed);
  for (int64_t module = 0; tree.bytes < spec.target_bytes || module == 0; ++module) {
    const std::string package = fmt::format("pkg_{:03}", module / kModulesPerPackage);
    if (module % kModulesPerPackage == 0) {
      fs::create_directories(tree.root / package);
      WriteFile(tree.root / package / "__init__.py", "");
      ++tree.files;
    }
    const std::string name = fmt::format("mod_{:03}", module % kModulesPerPackage);
    const std::string path = fmt::format("{}/{}.py", package, name);
    const std::string text = ModuleWriter(path, random).Write(package + "." + name, spec.seed, tree.planted);
    WriteFile(tree.root / path, text);
    ++tree.files;
    tree.bytes += static_cast<int64_t>(text.size());
    tree.lines += std::count(text.begin(), text.end(), '\n');
  }
  std::sort(tree.planted.begin(), tree.planted.end());
  WriteFileAtomically(dir / "manifest.txt", ManifestText(tree));
  return tree;
}

SourceTree LoadOrGenerateSourceTree(const SourceTreeSpec& spec, const fs::path& cache_dir) {
  const fs::path dir =
      cache_dir / fmt::format("tree-v{}-{}-{}", kGeneratorVersion, spec.seed, spec.target_bytes);
  if (fs::exists(dir / "manifest.txt")) return ReadManifest(dir);
  const fs::path partial =
      cache_dir / fmt::format(".tree-{}-{}.{}.partial", spec.seed, spec.target_bytes, ::getpid());
  fs::remove_all(partial);
  fs::create_directories(partial);
  GenerateSourceTree(spec, partial);
  std::error_code error;
  fs::rename(partial, dir, error);
  if (error) {
    fs::remove_all(partial);  // another run got there first: its tree is the same
    if (!fs::exists(dir / "manifest.txt")) {
      throw SetupError(
          fmt::format("cannot move the generated tree into {}: {}", dir.string(), error.message()));
    }
  }
  return ReadManifest(dir);
}

}  // namespace claimbench::devtools_workload
