#include "corpus.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "claimbench/atomic_file.h"
#include "claimbench/error.h"
#include "claimbench/seeded_random.h"
#include "tree_hash.h"

namespace claimbench::sync_corpus {
namespace {

namespace fs = std::filesystem;
using Random = stats::detail::SeededRandom;

constexpr int64_t kKiB = 1024;
constexpr int64_t kMiB = 1024 * kKiB;
constexpr const char* kFormat = "claimbench-sync-corpus 1";

// Bytes [offset, offset + length) of one content stream.
struct Segment {
  uint64_t stream = 0;
  int64_t offset = 0;
  int64_t length = 0;
};

struct File {
  std::string path;
  std::vector<Segment> segments;
  int64_t Size() const {
    int64_t size = 0;
    for (const Segment& s : segments) size += s.length;
    return size;
  }
};

// The content of stream `stream` at 8-byte word `word`: a counter-based mix (splitmix64's finaliser), so
// any part of any stream can be made without making what comes before it.
uint64_t ContentWord(uint64_t seed, uint64_t stream, uint64_t word) {
  uint64_t z = seed * 0x9E3779B97F4A7C15ULL ^ (stream + 1) * 0xD1B54A32D192ED03ULL ^ word * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void AppendContent(uint64_t seed, const Segment& segment, std::string& out) {
  uint64_t word_index = ~0ULL, word = 0;
  for (int64_t i = 0; i < segment.length; ++i) {
    const uint64_t position = static_cast<uint64_t>(segment.offset + i);
    if (position / 8 != word_index) {
      word_index = position / 8;
      word = ContentWord(seed, segment.stream, word_index);
    }
    out.push_back(static_cast<char>(word >> (8 * (position % 8))));
  }
}

void WriteFileContent(uint64_t seed, const File& file, const fs::path& path) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::string buffer;
  for (const Segment& segment : file.segments) {
    for (int64_t done = 0; done < segment.length; done += kMiB) {
      buffer.clear();
      AppendContent(seed, {segment.stream, segment.offset + done, std::min(kMiB, segment.length - done)}, buffer);
      out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    }
  }
  out.close();
  if (!out) throw SetupError(fmt::format("cannot write {}; is the disk full?", path.string()));
}

// The number of distinct stream bytes the files hold: the union of their segments' intervals.
int64_t UniqueBytes(const std::vector<File>& files) {
  std::map<uint64_t, std::vector<std::pair<int64_t, int64_t>>> intervals;
  for (const File& file : files) {
    for (const Segment& s : file.segments) {
      if (s.length > 0) intervals[s.stream].emplace_back(s.offset, s.offset + s.length);
    }
  }
  int64_t unique = 0;
  for (auto& [stream, list] : intervals) {
    std::sort(list.begin(), list.end());
    int64_t covered_to = list.front().first;
    for (const auto& [begin, end] : list) {
      const int64_t from = std::max(begin, covered_to);
      if (end > from) unique += end - from;
      covered_to = std::max(covered_to, end);
    }
  }
  return unique;
}

// Sizes from a realistic mix: mostly small files, some medium, a few of several MiB. Integer-only
// (a random power-of-two band, then uniform in it) so every platform makes the same tree.
int64_t DrawSize(Random& random, int64_t target_bytes) {
  auto in_band = [&](int64_t low, int64_t high) {
    int bands = 0;
    while ((low << (bands + 1)) <= high) ++bands;
    const int64_t band_low = low << random.Below(static_cast<uint64_t>(bands) + 1);
    return band_low + static_cast<int64_t>(random.Below(static_cast<uint64_t>(band_low)));
  };
  const uint64_t kind = random.Below(100);
  if (kind < 2) return 0;                                  // empty files exist in real trees
  if (kind < 78) return in_band(256, 32 * kKiB);           // small: source files, configs, notes
  if (kind < 98) return in_band(64 * kKiB, 512 * kKiB);    // medium: documents, images
  return in_band(2 * kMiB, std::clamp(target_bytes / 8, 4 * kMiB, 16 * kMiB));  // large: media, archives
}

std::string Extension(Random& random) {
  static const char* const kExtensions[] = {".txt", ".bin", ".jpg", ".pdf", ".log", ".dat", ""};
  return kExtensions[random.Below(std::size(kExtensions))];
}

class Generator {
 public:
  explicit Generator(const CorpusOptions& options) : options_(options), random_(options.seed) { dirs_.push_back(""); }

  Segment Fresh(int64_t length) { return {next_stream_++, 0, length}; }

  std::string NewDir() {
    const std::string& parent = dirs_[random_.Below(dirs_.size())];
    std::string dir = fmt::format("{}{}dir{:03}", parent, parent.empty() ? "" : "/", dirs_.size());
    dirs_.push_back(dir);
    return dir;
  }

  std::string NewPath() {
    if (dirs_.size() < 3 || random_.Below(100) < 8) NewDir();
    const std::string& dir = dirs_[random_.Below(dirs_.size())];
    return fmt::format("{}{}file{:05}{}", dir, dir.empty() ? "" : "/", names_++, Extension(random_));
  }

  // v0: fresh files, exact duplicates of earlier ones, and files sharing an earlier one's prefix.
  void MakeV0(VersionSummary& summary) {
    constexpr int64_t kMaxCopiedPercent = 30;
    int64_t total = 0, copied = 0;
    std::vector<int64_t> ends;  // running total of sizes, to draw earlier files in proportion to their bytes
    while (total < options_.target_bytes) {
      File file;
      file.path = NewPath();
      const uint64_t kind = random_.Below(100);
      // Sources are drawn by bytes, not by files, so duplication is a steady share of the bytes.
      const File* source = nullptr;
      if (total > 0) {
        const int64_t at = static_cast<int64_t>(random_.Below(static_cast<uint64_t>(total)));
        source = &v0_[static_cast<size_t>(std::upper_bound(ends.begin(), ends.end(), at) - ends.begin())];
      }
      // Copies stop while copied bytes would exceed kMaxCopiedPercent of the tree: big files drawn by bytes
      // would otherwise snowball.
      const bool may_copy = source != nullptr && (copied + source->Size()) * 100 <= kMaxCopiedPercent * (total + source->Size());
      if (may_copy && kind < 10) {
        file.segments = source->segments;
        copied += source->Size();
      } else if (may_copy && kind < 20 && source->Size() >= 64 * kKiB) {
        const int64_t size = source->Size();
        const int64_t prefix = size / 2 + static_cast<int64_t>(random_.Below(static_cast<uint64_t>(size / 2)));
        file.segments = Prefix(*source, prefix);
        file.segments.push_back(Fresh(16 * kKiB + static_cast<int64_t>(random_.Below(256 * kKiB))));
        copied += prefix;
        ++summary.strict_edges;
      } else {
        file.segments.push_back(Fresh(DrawSize(random_, options_.target_bytes)));
      }
      total += file.Size();
      ends.push_back(total);
      v0_.push_back(std::move(file));
    }
    first_v1_stream_ = next_stream_;
  }

  // v1: edits inside files (inserts, deletes: shifted content), appends, new files, deleted files,
  // renames in place and moves to other folders. Each v0 file gets at most one change.
  void MakeV1(CorpusManifest& manifest) {
    std::vector<size_t> order(v0_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[random_.Below(i)]);
    const int64_t n = static_cast<int64_t>(v0_.size());
    auto count = [&](int64_t per) { return std::max<int64_t>(1, n / per); };
    const int64_t inserts = count(60), deletes_in_file = count(100), appends = count(60), removed = count(30),
                  renames = count(40), moves = count(40), created = count(30);
    v1_ = v0_;
    std::vector<bool> gone(v1_.size(), false);
    size_t next = 0;
    auto take = [&](int64_t min_size) -> std::optional<size_t> {
      for (size_t tries = 0; next < order.size() && tries < order.size(); ++tries) {
        const size_t i = order[next++];
        if (v0_[i].Size() >= min_size) return i;
      }
      return std::nullopt;
    };
    std::vector<Operation> renames_ops, delete_ops, write_ops;
    for (int64_t k = 0; k < inserts; ++k) {
      if (auto i = take(4 * kKiB)) {
        const int64_t size = v1_[*i].Size();
        const int64_t at = static_cast<int64_t>(random_.Below(static_cast<uint64_t>(size)));
        v1_[*i].segments = Splice(v1_[*i], at, 0, Fresh(1 + static_cast<int64_t>(random_.Below(64 * kKiB))));
        ++manifest.incremental_strict_edges;
        ++manifest.incremental_resync_edges;
        write_ops.push_back({Operation::Kind::kWrite, v1_[*i].path, ""});
      }
    }
    for (int64_t k = 0; k < deletes_in_file; ++k) {
      if (auto i = take(8 * kKiB)) {
        const int64_t size = v1_[*i].Size();
        const int64_t length = 1 + static_cast<int64_t>(random_.Below(static_cast<uint64_t>(std::min(64 * kKiB, size / 2))));
        const int64_t at = static_cast<int64_t>(random_.Below(static_cast<uint64_t>(size - length)));
        v1_[*i].segments = Splice(v1_[*i], at, length, Segment{});
        ++manifest.incremental_strict_edges;
        ++manifest.incremental_resync_edges;
        write_ops.push_back({Operation::Kind::kWrite, v1_[*i].path, ""});
      }
    }
    for (int64_t k = 0; k < appends; ++k) {
      if (auto i = take(1)) {
        v1_[*i].segments.push_back(Fresh(1 + static_cast<int64_t>(random_.Below(256 * kKiB))));
        ++manifest.incremental_strict_edges;
        write_ops.push_back({Operation::Kind::kWrite, v1_[*i].path, ""});
      }
    }
    for (int64_t k = 0; k < removed; ++k) {
      if (auto i = take(0)) {
        gone[*i] = true;
        delete_ops.push_back({Operation::Kind::kDelete, v1_[*i].path, ""});
      }
    }
    for (int64_t k = 0; k < renames + moves; ++k) {
      if (auto i = take(0)) {
        std::string to;
        if (k < renames) {
          const std::string dir = fs::path(v1_[*i].path).parent_path().generic_string();
          to = fmt::format("{}{}renamed{:05}{}", dir, dir.empty() ? "" : "/", names_++, Extension(random_));
        } else {
          to = NewPath();
        }
        renames_ops.push_back({Operation::Kind::kRename, to, v1_[*i].path});
        v1_[*i].path = to;
      }
    }
    for (int64_t k = 0; k < created; ++k) {
      File file;
      file.path = NewPath();
      file.segments.push_back(Fresh(DrawSize(random_, options_.target_bytes)));
      write_ops.push_back({Operation::Kind::kWrite, file.path, ""});
      v1_.push_back(std::move(file));
      gone.push_back(false);
    }
    std::vector<File> kept;
    for (size_t i = 0; i < v1_.size(); ++i) {
      if (!gone[i]) kept.push_back(std::move(v1_[i]));
    }
    v1_ = std::move(kept);
    for (const File& file : v1_) {
      for (const Segment& s : file.segments) {
        if (s.stream >= first_v1_stream_) manifest.incremental_new_bytes += s.length;
      }
    }
    for (const Operation& op : write_ops) manifest.incremental_written_bytes += FindV1(op.path).Size();
    manifest.operations = std::move(renames_ops);
    manifest.operations.insert(manifest.operations.end(), delete_ops.begin(), delete_ops.end());
    manifest.operations.insert(manifest.operations.end(), write_ops.begin(), write_ops.end());
    written_.clear();
    for (const Operation& op : write_ops) written_.insert(op.path);
  }

  const std::vector<File>& v0() const { return v0_; }
  const std::vector<File>& v1() const { return v1_; }
  bool WrittenInV1(const std::string& path) const { return written_.contains(path); }

 private:
  static std::vector<Segment> Prefix(const File& file, int64_t length) {
    std::vector<Segment> out;
    for (const Segment& s : file.segments) {
      if (length <= 0) break;
      out.push_back({s.stream, s.offset, std::min(s.length, length)});
      length -= out.back().length;
    }
    return out;
  }

  // The file's segments with [at, at + removed) replaced by `inserted` (which may be empty).
  static std::vector<Segment> Splice(const File& file, int64_t at, int64_t removed, const Segment& inserted) {
    std::vector<Segment> out;
    int64_t position = 0;
    bool placed = false;
    for (const Segment& s : file.segments) {
      const int64_t begin = position, end = position + s.length;
      position = end;
      if (end <= at) {
        out.push_back(s);
        continue;
      }
      if (begin < at) out.push_back({s.stream, s.offset, at - begin});
      if (!placed && inserted.length > 0) out.push_back(inserted);
      placed = true;
      const int64_t keep_from = std::max(begin, at + removed);
      if (keep_from < end) out.push_back({s.stream, s.offset + (keep_from - begin), end - keep_from});
    }
    if (!placed && inserted.length > 0) out.push_back(inserted);
    return out;
  }

  const File& FindV1(const std::string& path) const {
    for (const File& file : v1_) {
      if (file.path == path) return file;
    }
    throw SetupError(fmt::format("corpus generator: no v1 file {} (a bug in corpus.cc)", path));
  }

  CorpusOptions options_;
  Random random_;
  std::vector<std::string> dirs_;
  std::vector<File> v0_, v1_;
  std::set<std::string> written_;
  uint64_t next_stream_ = 0;
  uint64_t first_v1_stream_ = 0;
  int names_ = 0;
};

nlohmann::json VersionJson(const VersionSummary& v) {
  return {{"files", v.files},
          {"logical_bytes", v.logical_bytes},
          {"unique_bytes", v.unique_bytes},
          {"strict_edges", v.strict_edges},
          {"tree_hash", v.tree_hash}};
}

VersionSummary VersionFromJson(const nlohmann::json& j) {
  VersionSummary v;
  v.files = j.at("files").get<int64_t>();
  v.logical_bytes = j.at("logical_bytes").get<int64_t>();
  v.unique_bytes = j.at("unique_bytes").get<int64_t>();
  v.strict_edges = j.at("strict_edges").get<int64_t>();
  v.tree_hash = j.at("tree_hash").get<std::string>();
  return v;
}

const char* KindName(Operation::Kind kind) {
  switch (kind) {
    case Operation::Kind::kRename: return "rename";
    case Operation::Kind::kDelete: return "delete";
    case Operation::Kind::kWrite: return "write";
  }
  return "?";
}

}  // namespace

CorpusManifest GenerateCorpus(const CorpusOptions& options, const fs::path& out_dir) {
  if (options.target_bytes <= 0) throw SetupError("the corpus size must be positive (e.g. 32M)");
  CorpusManifest manifest;
  manifest.seed = options.seed;
  manifest.target_bytes = options.target_bytes;
  Generator generator(options);
  generator.MakeV0(manifest.v0);
  generator.MakeV1(manifest);

  std::error_code ignored;
  fs::remove(out_dir / "manifest.json", ignored);
  fs::remove_all(out_dir / "v0", ignored);
  fs::remove_all(out_dir / "v1", ignored);
  for (const File& file : generator.v0()) WriteFileContent(options.seed, file, out_dir / "v0" / file.path);
  for (const File& file : generator.v1()) {
    const fs::path target = out_dir / "v1" / file.path;
    if (generator.WrittenInV1(file.path)) {
      WriteFileContent(options.seed, file, target);
    } else {
      // Unchanged content (renamed or not): share v0's bytes; nothing ever writes into the corpus.
      const auto source = std::find_if(generator.v0().begin(), generator.v0().end(), [&](const File& f) {
        return f.segments.size() == file.segments.size() &&
               std::equal(f.segments.begin(), f.segments.end(), file.segments.begin(), [](const Segment& a, const Segment& b) {
                 return a.stream == b.stream && a.offset == b.offset && a.length == b.length;
               });
      });
      fs::create_directories(target.parent_path());
      std::error_code error;
      fs::create_hard_link(out_dir / "v0" / source->path, target, error);
      if (error) WriteFileContent(options.seed, file, target);
    }
  }
  for (auto [files, summary] : {std::pair{&generator.v0(), &manifest.v0}, std::pair{&generator.v1(), &manifest.v1}}) {
    summary->files = static_cast<int64_t>(files->size());
    summary->logical_bytes = 0;
    for (const File& file : *files) summary->logical_bytes += file.Size();
    summary->unique_bytes = UniqueBytes(*files);
  }
  manifest.v0.tree_hash = TreeHash(out_dir / "v0");
  manifest.v1.tree_hash = TreeHash(out_dir / "v1");

  nlohmann::json ops = nlohmann::json::array();
  for (const Operation& op : manifest.operations) {
    nlohmann::json j = {{"op", KindName(op.kind)}, {"path", op.path}};
    if (op.kind == Operation::Kind::kRename) j["from"] = op.from;
    ops.push_back(std::move(j));
  }
  nlohmann::json json = {{"format", kFormat},
                         {"seed", manifest.seed},
                         {"target_bytes", manifest.target_bytes},
                         {"v0", VersionJson(manifest.v0)},
                         {"v1", VersionJson(manifest.v1)},
                         {"incremental",
                          {{"new_bytes", manifest.incremental_new_bytes},
                           {"strict_edges", manifest.incremental_strict_edges},
                           {"resync_edges", manifest.incremental_resync_edges},
                           {"written_bytes", manifest.incremental_written_bytes}}},
                         {"operations", ops}};
  WriteFileAtomically(out_dir / "manifest.json", json.dump(1) + "\n");
  return manifest;
}

CorpusManifest ReadManifest(const fs::path& manifest_path) {
  std::ifstream in(manifest_path);
  if (!in) throw SetupError(fmt::format("cannot read {}; generate the corpus with sync_corpus", manifest_path.string()));
  try {
    const nlohmann::json json = nlohmann::json::parse(in);
    if (json.at("format") != kFormat) {
      throw SetupError(fmt::format("{}: format {} is not {}; delete it to regenerate", manifest_path.string(),
                                   json.at("format").dump(), kFormat));
    }
    CorpusManifest m;
    m.seed = json.at("seed").get<uint64_t>();
    m.target_bytes = json.at("target_bytes").get<int64_t>();
    m.v0 = VersionFromJson(json.at("v0"));
    m.v1 = VersionFromJson(json.at("v1"));
    const nlohmann::json& inc = json.at("incremental");
    m.incremental_new_bytes = inc.at("new_bytes").get<int64_t>();
    m.incremental_strict_edges = inc.at("strict_edges").get<int64_t>();
    m.incremental_resync_edges = inc.at("resync_edges").get<int64_t>();
    m.incremental_written_bytes = inc.at("written_bytes").get<int64_t>();
    for (const nlohmann::json& j : json.at("operations")) {
      Operation op;
      const std::string kind = j.at("op").get<std::string>();
      op.kind = kind == "rename" ? Operation::Kind::kRename
                : kind == "delete" ? Operation::Kind::kDelete
                                   : Operation::Kind::kWrite;
      if (kind != "rename" && kind != "delete" && kind != "write") {
        throw SetupError(fmt::format("{}: unknown operation '{}'; delete it to regenerate", manifest_path.string(), kind));
      }
      op.path = j.at("path").get<std::string>();
      if (op.kind == Operation::Kind::kRename) op.from = j.at("from").get<std::string>();
      m.operations.push_back(std::move(op));
    }
    return m;
  } catch (const nlohmann::json::exception& error) {
    throw SetupError(fmt::format("{} is malformed ({}); delete it to regenerate", manifest_path.string(), error.what()));
  }
}

CorpusManifest LoadOrGenerateCorpus(const CorpusOptions& options, const fs::path& out_dir) {
  const fs::path path = out_dir / "manifest.json";
  if (fs::exists(path)) {
    try {
      CorpusManifest manifest = ReadManifest(path);
      if (manifest.seed == options.seed && manifest.target_bytes == options.target_bytes) return manifest;
    } catch (const SetupError&) {
      // an old or damaged corpus: made again below
    }
  }
  return GenerateCorpus(options, out_dir);
}

void WriteRandomFile(const fs::path& path, uint64_t seed, int64_t bytes) {
  File file;
  file.segments.push_back({0, 0, bytes});
  WriteFileContent(seed ^ 0x5EED5EED5EEDULL, file, path);
}

void ApplyOperations(const CorpusManifest& manifest, const fs::path& v1_dir, const fs::path& dir) {
  for (const Operation& op : manifest.operations) {
    std::error_code error;
    const fs::path target = dir / op.path;
    switch (op.kind) {
      case Operation::Kind::kRename:
        fs::create_directories(target.parent_path(), error);
        if (!error) fs::rename(dir / op.from, target, error);
        break;
      case Operation::Kind::kDelete:
        fs::remove(target, error);
        break;
      case Operation::Kind::kWrite:
        fs::create_directories(target.parent_path(), error);
        if (!error) fs::copy_file(v1_dir / op.path, target, fs::copy_options::overwrite_existing, error);
        break;
    }
    if (error) {
      throw SetupError(fmt::format("cannot {} {} in {}: {}", KindName(op.kind), op.path, dir.string(), error.message()));
    }
  }
}

}  // namespace claimbench::sync_corpus
