#include "atomic_manifest.h"

#include <fstream>

#include <fmt/format.h>

namespace claimbench::columnar {

void WriteManifest(const std::filesystem::path& dir, const Manifest& manifest) {
  const std::filesystem::path temp = dir / "manifest.json.tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << ManifestToJson(manifest);
    out.close();
    if (!out) throw DataError(fmt::format("{}: cannot write; is the disk full?", temp.string()));
  }
  std::filesystem::rename(temp, dir / "manifest.json");
}

}  // namespace claimbench::columnar
