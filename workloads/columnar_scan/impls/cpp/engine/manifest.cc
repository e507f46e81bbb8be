#include "manifest.h"

#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace claimbench::columnar {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kRegenerate = "regenerate the data with `generate --sf N --out DIR`";

[[noreturn]] void Fail(const std::string& what) {
  throw DataError(fmt::format("manifest.json: {}; {}", what, kRegenerate));
}

const Json& Field(const Json& object, const char* key, const std::string& where) {
  if (!object.is_object()) Fail(fmt::format("{} is not an object", where));
  auto it = object.find(key);
  if (it == object.end()) Fail(fmt::format("{} has no \"{}\"", where, key));
  return *it;
}

std::string StringField(const Json& object, const char* key, const std::string& where) {
  const Json& value = Field(object, key, where);
  if (!value.is_string()) Fail(fmt::format("{}.{} is not a string", where, key));
  return value.get<std::string>();
}

int64_t IntField(const Json& object, const char* key, const std::string& where) {
  const Json& value = Field(object, key, where);
  if (!value.is_number_integer() || value.get<int64_t>() < 0) {
    Fail(fmt::format("{}.{} is not a non-negative integer", where, key));
  }
  return value.get<int64_t>();
}

bool SafeRelativePath(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.find('\0') != std::string::npos) return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string_view part(path.data() + start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

FileEntry ParseFile(const Json& json, const std::string& where) {
  FileEntry file;
  file.path = StringField(json, "path", where);
  if (!SafeRelativePath(file.path)) Fail(fmt::format("{}.path '{}' is not a plain relative path", where, file.path));
  file.bytes = IntField(json, "bytes", where);
  const std::string checksum = StringField(json, "checksum", where);
  if (checksum.size() != 16 || checksum.find_first_not_of("0123456789abcdef") != std::string::npos) {
    Fail(fmt::format("{}.checksum '{}' is not 16 lower-case hex digits", where, checksum));
  }
  file.checksum = std::stoull(checksum, nullptr, 16);
  return file;
}

}  // namespace

const ColumnEntry* TableEntry::FindColumn(std::string_view column) const {
  for (const ColumnEntry& entry : columns) {
    if (entry.name == column) return &entry;
  }
  return nullptr;
}

const TableEntry* Manifest::FindTable(std::string_view table) const {
  for (const TableEntry& entry : tables) {
    if (entry.name == table) return &entry;
  }
  return nullptr;
}

uint64_t Checksum64(std::span<const std::byte> data) {
  constexpr uint64_t kMultiplier = 0x9E3779B97F4A7C15ULL;
  uint64_t lanes[4] = {1, 2, 3, 4};
  size_t i = 0;
  for (; i + 32 <= data.size(); i += 32) {
    for (int lane = 0; lane < 4; ++lane) {
      uint64_t word;
      std::memcpy(&word, data.data() + i + 8 * lane, 8);
      lanes[lane] = (lanes[lane] ^ word) * kMultiplier;
      lanes[lane] ^= lanes[lane] >> 29;
    }
  }
  uint64_t hash = data.size();
  for (uint64_t lane : lanes) hash = (hash ^ lane) * kMultiplier;
  for (; i < data.size(); ++i) hash = (hash ^ static_cast<uint64_t>(data[i])) * kMultiplier;
  return hash ^ (hash >> 32);
}

std::string ManifestToJson(const Manifest& manifest) {
  Json tables = Json::array();
  for (const TableEntry& table : manifest.tables) {
    Json columns = Json::array();
    for (const ColumnEntry& column : table.columns) {
      Json files = Json::array();
      for (const FileEntry& file : column.files) {
        files.push_back({{"path", file.path}, {"bytes", file.bytes}, {"checksum", fmt::format("{:016x}", file.checksum)}});
      }
      columns.push_back({{"name", column.name}, {"type", std::string(TypeName(column.type))}, {"files", files}});
    }
    tables.push_back({{"name", table.name}, {"rows", table.rows}, {"columns", columns}});
  }
  Json root = {{"format", std::string(kFormatName)},
               {"version", kFormatVersion},
               {"scale_factor", manifest.scale_factor},
               {"generator", manifest.generator},
               {"tables", tables}};
  return root.dump(1) + "\n";
}

Manifest ParseManifest(std::string_view json) {
  Json root = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) Fail("not valid JSON");
  if (StringField(root, "format", "the manifest") != kFormatName) {
    Fail(fmt::format("format is not \"{}\"", kFormatName));
  }
  const Json& version = Field(root, "version", "the manifest");
  if (!version.is_number_integer() || version.get<int64_t>() != kFormatVersion) {
    Fail(fmt::format("version {} is not supported (this reader knows version {})", version.dump(), kFormatVersion));
  }
  Manifest manifest;
  manifest.scale_factor = StringField(root, "scale_factor", "the manifest");
  manifest.generator = StringField(root, "generator", "the manifest");
  const Json& tables = Field(root, "tables", "the manifest");
  if (!tables.is_array()) Fail("tables is not an array");
  for (size_t t = 0; t < tables.size(); ++t) {
    TableEntry table;
    const std::string where = fmt::format("tables[{}]", t);
    table.name = StringField(tables[t], "name", where);
    table.rows = IntField(tables[t], "rows", where);
    if (table.rows > (int64_t{1} << 40)) Fail(fmt::format("{} has an implausible row count", where));
    const Json& columns = Field(tables[t], "columns", where);
    if (!columns.is_array()) Fail(fmt::format("{}.columns is not an array", where));
    for (size_t c = 0; c < columns.size(); ++c) {
      ColumnEntry column;
      const std::string column_where = fmt::format("{}.columns[{}]", where, c);
      column.name = StringField(columns[c], "name", column_where);
      const std::string type_name = StringField(columns[c], "type", column_where);
      if (!TypeFromName(type_name, column.type)) Fail(fmt::format("{} has unknown type '{}'", column_where, type_name));
      const Json& files = Field(columns[c], "files", column_where);
      if (!files.is_array()) Fail(fmt::format("{}.files is not an array", column_where));
      for (size_t f = 0; f < files.size(); ++f) {
        column.files.push_back(ParseFile(files[f], fmt::format("{}.files[{}]", column_where, f)));
      }
      const size_t want_files = column.type == ColumnType::kString ? 2 : 1;
      if (column.files.size() != want_files) {
        Fail(fmt::format("column {}.{} has {} files, a {} column has {}", table.name, column.name, column.files.size(),
                         type_name, want_files));
      }
      const int64_t want_bytes = column.type == ColumnType::kString ? (table.rows + 1) * 8
                                                                    : table.rows * TypeWidth(column.type);
      if (column.files[0].bytes != want_bytes) {
        Fail(fmt::format("column {}.{}: {} is {} bytes, {} rows of {} need {}", table.name, column.name,
                         column.files[0].path, column.files[0].bytes, table.rows, type_name, want_bytes));
      }
      if (table.FindColumn(column.name) != nullptr) Fail(fmt::format("column {}.{} appears twice", table.name, column.name));
      table.columns.push_back(std::move(column));
    }
    if (manifest.FindTable(table.name) != nullptr) Fail(fmt::format("table {} appears twice", table.name));
    manifest.tables.push_back(std::move(table));
  }
  return manifest;
}

}  // namespace claimbench::columnar
