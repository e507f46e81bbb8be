#include "column_store.h"

#include <array>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace claimbench::columnar {

ColumnStore::ColumnStore(std::filesystem::path dir) : dir_(std::move(dir)) {
  const std::filesystem::path path = dir_ / "manifest.json";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw DataError(fmt::format("{}: cannot read; is {} a data directory made by `generate --sf N --out DIR`?",
                                path.string(), dir_.string()));
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    manifest_ = ParseManifest(text.str());
  } catch (const DataError& error) {
    throw DataError(fmt::format("{}: {}", dir_.string(), error.what()));
  }
}

const TableEntry& ColumnStore::Table(std::string_view table) const {
  const TableEntry* entry = manifest_.FindTable(table);
  if (entry == nullptr) {
    throw DataError(fmt::format("{}: the manifest has no table '{}'; regenerate the data with `generate`",
                                dir_.string(), table));
  }
  return *entry;
}

StringColumn ColumnStore::Strings(std::string_view table, std::string_view column) {
  auto files = Map(table, column, ColumnType::kString, 8);
  StringColumn result;
  result.offsets = {reinterpret_cast<const uint64_t*>(files[0].data()), files[0].size() / 8};
  result.bytes = {reinterpret_cast<const char*>(files[1].data()), files[1].size()};
  return result;
}

std::array<std::span<const std::byte>, 2> ColumnStore::Map(std::string_view table, std::string_view column,
                                                           ColumnType type, size_t width) {
  const TableEntry& table_entry = Table(table);
  const ColumnEntry* entry = table_entry.FindColumn(column);
  const std::string key = fmt::format("{}.{}", table, column);
  if (entry == nullptr) {
    throw DataError(fmt::format("{}: the manifest has no column {}; regenerate the data with `generate`",
                                dir_.string(), key));
  }
  if (entry->type != type || (type != ColumnType::kString && TypeWidth(type) != static_cast<int64_t>(width))) {
    throw DataError(fmt::format("{}: column {} is {}, the query needs {}", dir_.string(), key, TypeName(entry->type),
                                TypeName(type)));
  }
  auto found = columns_.find(key);
  if (found == columns_.end()) {
    MappedColumn mapped;
    for (size_t f = 0; f < entry->files.size(); ++f) {
      const FileEntry& file = entry->files[f];
      auto mapping = std::make_unique<MappedFile>(dir_ / file.path);
      const auto bytes = mapping->bytes();
      if (static_cast<int64_t>(bytes.size()) != file.bytes) {
        throw DataError(fmt::format("{}: {} bytes, the manifest says {}: the file is truncated or was replaced; "
                                    "regenerate the data with `generate`",
                                    (dir_ / file.path).string(), bytes.size(), file.bytes));
      }
      if (Checksum64(bytes) != file.checksum) {
        throw DataError(fmt::format("{}: checksum {:016x}, the manifest says {:016x}: the file is corrupt; "
                                    "regenerate the data with `generate`",
                                    (dir_ / file.path).string(), Checksum64(bytes), file.checksum));
      }
      mapped_bytes_ += file.bytes;
      mapped.files[f] = std::move(mapping);
    }
    if (type == ColumnType::kString) {
      // The checksum matched, but a hand-made manifest could still describe offsets that leave the data.
      const auto offsets = mapped.files[0]->bytes();
      const auto data_size = static_cast<uint64_t>(mapped.files[1]->bytes().size());
      uint64_t previous = 0;
      for (size_t i = 0; i < offsets.size() / 8; ++i) {
        uint64_t offset;
        std::memcpy(&offset, offsets.data() + 8 * i, 8);
        if ((i == 0 && offset != 0) || offset < previous || offset > data_size) {
          throw DataError(fmt::format("{}: offset {} of column {} is out of order or past the data; regenerate "
                                      "the data with `generate`",
                                      dir_.string(), i, key));
        }
        previous = offset;
      }
      if (previous != data_size) {
        throw DataError(fmt::format("{}: column {}'s offsets end at {}, its data has {} bytes; regenerate the data",
                                    dir_.string(), key, previous, data_size));
      }
    }
    found = columns_.emplace(key, std::move(mapped)).first;
  }
  std::array<std::span<const std::byte>, 2> result;
  for (int f = 0; f < 2; ++f) {
    if (found->second.files[f]) result[f] = found->second.files[f]->bytes();
  }
  return result;
}

}  // namespace claimbench::columnar
