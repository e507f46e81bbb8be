#include "tbl_import.h"

#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "date.h"
#include "decimal.h"
#include "mapped_file.h"

namespace claimbench::columnar {
namespace {

namespace fs = std::filesystem;

// Appends bytes to a file through a large buffer; closes on destruction, Finish() reports write errors.
class BufferedFile {
 public:
  explicit BufferedFile(const fs::path& path) : path_(path), file_(std::fopen(path.c_str(), "wb")) {
    if (file_ == nullptr) throw DataError(fmt::format("{}: cannot create ({})", path.string(), std::strerror(errno)));
    buffer_.reserve(kBufferBytes);
  }
  ~BufferedFile() {
    if (file_ != nullptr) std::fclose(file_);
  }
  BufferedFile(const BufferedFile&) = delete;
  BufferedFile& operator=(const BufferedFile&) = delete;

  void Append(const void* data, size_t size) {
    if (buffer_.size() + size > kBufferBytes) Flush();
    const char* bytes = static_cast<const char*>(data);
    buffer_.insert(buffer_.end(), bytes, bytes + size);
  }
  template <typename T>
  void AppendValue(T value) {
    Append(&value, sizeof value);
  }
  void Finish() {
    Flush();
    const bool failed = std::fclose(file_) != 0;
    file_ = nullptr;
    if (failed) throw DataError(fmt::format("{}: write failed; is the disk full?", path_.string()));
  }

 private:
  static constexpr size_t kBufferBytes = 1 << 20;
  void Flush() {
    if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
      throw DataError(fmt::format("{}: write failed ({}); is the disk full?", path_.string(), std::strerror(errno)));
    }
    buffer_.clear();
  }
  fs::path path_;
  std::FILE* file_;
  std::vector<char> buffer_;
};

struct ColumnSink {
  ColumnDef def;
  std::vector<fs::path> relative_paths;
  std::vector<std::unique_ptr<BufferedFile>> files;
  uint64_t string_bytes = 0;
};

}  // namespace

FileEntry DescribeFile(const fs::path& out_dir, const fs::path& relative) {
  MappedFile mapped(out_dir / relative);
  return FileEntry{relative.generic_string(), static_cast<int64_t>(mapped.bytes().size()), Checksum64(mapped.bytes())};
}

TableEntry ImportTbl(const TableDef& table, const fs::path& tbl_path, const fs::path& out_dir) {
  fs::create_directories(out_dir / std::string(table.name));
  std::vector<ColumnSink> sinks;
  for (const ColumnDef& def : table.columns) {
    ColumnSink sink{def, {}, {}, 0};
    const std::string base = fmt::format("{}/{}", table.name, def.name);
    if (def.type == ColumnType::kString) {
      sink.relative_paths = {base + ".offsets", base + ".bytes"};
    } else {
      sink.relative_paths = {base + ".bin"};
    }
    for (const fs::path& relative : sink.relative_paths) sink.files.push_back(std::make_unique<BufferedFile>(out_dir / relative));
    if (def.type == ColumnType::kString) sink.files[0]->AppendValue<uint64_t>(0);
    sinks.push_back(std::move(sink));
  }

  MappedFile input(tbl_path);
  std::string_view text(reinterpret_cast<const char*>(input.bytes().data()), input.bytes().size());
  int64_t rows = 0;
  size_t position = 0;
  while (position < text.size()) {
    size_t line_end = text.find('\n', position);
    if (line_end == std::string_view::npos) line_end = text.size();
    std::string_view line = text.substr(position, line_end - position);
    position = line_end + 1;
    if (line.empty()) continue;
    ++rows;
    size_t field_start = 0;
    for (ColumnSink& sink : sinks) {
      const size_t bar = line.find('|', field_start);
      if (bar == std::string_view::npos) {
        throw DataError(fmt::format("{}: line {} has too few fields (no {})", tbl_path.string(), rows, sink.def.name));
      }
      std::string_view field = line.substr(field_start, bar - field_start);
      field_start = bar + 1;
      auto bad = [&] {
        return DataError(fmt::format("{}: line {}: {} '{}' is not a valid {}", tbl_path.string(), rows, sink.def.name,
                                     field, TypeName(sink.def.type)));
      };
      switch (sink.def.type) {
        case ColumnType::kInt32:
        case ColumnType::kInt64: {
          std::optional<int64_t> value = ParseScaled(field, 0);
          if (!value) throw bad();
          if (sink.def.type == ColumnType::kInt32) {
            if (*value < INT32_MIN || *value > INT32_MAX) throw bad();
            sink.files[0]->AppendValue(static_cast<int32_t>(*value));
          } else {
            sink.files[0]->AppendValue(*value);
          }
          break;
        }
        case ColumnType::kDecimal: {
          std::optional<int64_t> value = ParseScaled(field, 2);
          if (!value) throw bad();
          sink.files[0]->AppendValue(*value);
          break;
        }
        case ColumnType::kDate: {
          std::optional<int32_t> value = ParseDate(field);
          if (!value) throw bad();
          sink.files[0]->AppendValue(*value);
          break;
        }
        case ColumnType::kChar:
          if (field.size() != 1) throw bad();
          sink.files[0]->AppendValue(field[0]);
          break;
        case ColumnType::kString:
          sink.files[1]->Append(field.data(), field.size());
          sink.string_bytes += field.size();
          sink.files[0]->AppendValue<uint64_t>(sink.string_bytes);
          break;
      }
    }
    if (field_start != line.size()) {
      throw DataError(fmt::format("{}: line {} has more than {} fields", tbl_path.string(), rows, sinks.size()));
    }
  }

  TableEntry entry;
  entry.name = std::string(table.name);
  entry.rows = rows;
  for (ColumnSink& sink : sinks) {
    ColumnEntry column;
    column.name = std::string(sink.def.name);
    column.type = sink.def.type;
    for (auto& file : sink.files) file->Finish();
    for (const fs::path& relative : sink.relative_paths) column.files.push_back(DescribeFile(out_dir, relative));
    entry.columns.push_back(std::move(column));
  }
  return entry;
}

}  // namespace claimbench::columnar
