#include "install_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <sstream>
#include <vector>

#include "claimbench/error.h"
#include "claimbench/file_contents.h"

namespace claimbench::devtools_workload {
namespace {

namespace fs = std::filesystem;

std::string Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return "";
  return std::string(text.substr(begin, text.find_last_not_of(" \t\r") - begin + 1));
}

// The fields of one RECORD line: path, hash, size (RFC 4180 quoting, which installers use for paths holding
// a comma).
std::vector<std::string> CsvFields(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

// Empty when every file the RECORD of `dist_info` lists exists with its recorded size.
std::string CheckRecord(const fs::path& site_packages, const fs::path& dist_info) {
  const fs::path record = dist_info / "RECORD";
  if (!fs::exists(record)) return fmt::format("{} has no RECORD", dist_info.filename().string());
  std::istringstream in(ReadWholeFile(record));
  int64_t files = 0;
  for (std::string line; std::getline(in, line);) {
    if (Trim(line).empty()) continue;
    const std::vector<std::string> fields = CsvFields(line);
    const fs::path file = site_packages / fields[0];
    std::error_code error;
    const uintmax_t size = fs::file_size(file, error);
    if (error)
      return fmt::format("{} lists {}, which is missing", record.parent_path().filename().string(),
                         fields[0]);
    if (fields.size() >= 3 && !fields[2].empty()) {
      uintmax_t recorded = 0;
      auto [end, parse_error] =
          std::from_chars(fields[2].data(), fields[2].data() + fields[2].size(), recorded);
      if (parse_error != std::errc() || recorded != size) {
        return fmt::format("{} lists {} with size {}, the file has {} bytes", dist_info.filename().string(),
                           fields[0], fields[2], size);
      }
    }
    ++files;
  }
  if (files == 0) return fmt::format("{}'s RECORD lists no file", dist_info.filename().string());
  return "";
}

}  // namespace

std::string NormaliseName(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (out.empty() || out.back() != '_') out += '_';
    } else {
      out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
  }
  return out;
}

Distributions ReadPinnedRequirements(const fs::path& file) {
  Distributions out;
  std::istringstream in(ReadWholeFile(file));
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    const std::string text = Trim(line.substr(0, line.find('#')));
    if (text.empty()) continue;
    const size_t pin = text.find("==");
    if (pin == std::string::npos || pin == 0 || text.find_first_of("<>!~;[ ") != std::string::npos) {
      throw SetupError(
          fmt::format("{}:{}: '{}' is not NAME==VERSION; the install cases install exact pins only",
                      file.string(), number, text));
    }
    out[NormaliseName(text.substr(0, pin))] = text.substr(pin + 2);
  }
  if (out.empty()) throw SetupError(fmt::format("{} pins no package", file.string()));
  return out;
}

fs::path SitePackages(const fs::path& venv) {
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(venv / "lib", error)) {
    if (entry.path().filename().string().starts_with("python") &&
        fs::is_directory(entry.path() / "site-packages")) {
      return entry.path() / "site-packages";
    }
  }
  throw SetupError(
      fmt::format("{} has no lib/python*/site-packages: it is not a virtual environment", venv.string()));
}

Distributions InstalledDistributions(const fs::path& site_packages) {
  Distributions out;
  for (const fs::directory_entry& entry : fs::directory_iterator(site_packages)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".dist-info")) continue;
    const std::string stem = name.substr(0, name.size() - std::string_view(".dist-info").size());
    const size_t dash = stem.find('-');
    if (dash == std::string::npos || dash == 0 || dash + 1 == stem.size()) {
      throw SetupError(fmt::format("{} is not NAME-VERSION.dist-info", (site_packages / name).string()));
    }
    out[NormaliseName(stem.substr(0, dash))] = stem.substr(dash + 1);
  }
  return out;
}

std::string CheckInstalled(const Distributions& expected, const Distributions& installed,
                           const fs::path& site_packages) {
  for (const auto& [name, version] : expected) {
    auto found = installed.find(name);
    if (found == installed.end()) return fmt::format("{}=={} is not installed", name, version);
    if (found->second != version)
      return fmt::format("{} is installed at {}, expected {}", name, found->second, version);
  }
  for (const auto& [name, version] : installed) {
    if (!expected.contains(name))
      return fmt::format("{}=={} is installed but was not asked for", name, version);
  }
  for (const fs::directory_entry& entry : fs::directory_iterator(site_packages)) {
    if (!entry.path().filename().string().ends_with(".dist-info")) continue;
    if (std::string error = CheckRecord(site_packages, entry.path()); !error.empty()) return error;
  }
  return "";
}

}  // namespace claimbench::devtools_workload
