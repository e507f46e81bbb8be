// Byte counts as people write them: "65536", "64K", "32M", "2G" (powers of 1024), as SPEC.md's sizes.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace claimbench::sync_corpus {

// The byte count `text` names, or nullopt when it is not a non-negative count with an optional K, M or G.
std::optional<int64_t> ParseSize(std::string_view text);

}  // namespace claimbench::sync_corpus
