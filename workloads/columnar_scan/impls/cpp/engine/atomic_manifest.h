// Writes DIR/manifest.json atomically (temp file, rename): a reader sees no manifest or a whole one.
#pragma once

#include <filesystem>

#include "manifest.h"

namespace claimbench::columnar {

// Throws DataError when the file cannot be written.
void WriteManifest(const std::filesystem::path& dir, const Manifest& manifest);

}  // namespace claimbench::columnar
