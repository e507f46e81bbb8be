#include "debian_sources.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <sstream>

#include <fmt/format.h>

#include "claimbench/error.h"
#include "claimbench/file_contents.h"

namespace claimbench::tokenizer_workload {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kMoMagic = 0x950412de;  // gettext's magic number, as a little-endian file stores it

uint32_t ReadLittleEndian32(std::string_view bytes, size_t offset, std::string_view name) {
  if (offset > bytes.size() || bytes.size() - offset < 4) {
    throw SetupError(fmt::format("{} is not a complete gettext catalogue (an offset points past its end)", name));
  }
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[offset + i]);
  return value;
}

// The `length` bytes at `offset` of `bytes`, checked to lie inside it.
std::string_view Slice(std::string_view bytes, uint32_t offset, uint32_t length, std::string_view name) {
  if (offset > bytes.size() || bytes.size() - offset < length) {
    throw SetupError(fmt::format("{} is not a complete gettext catalogue (a string lies past its end)", name));
  }
  return bytes.substr(offset, length);
}

// One manifest line.
struct ManifestEntry {
  std::string sha256;
  std::string package;  // "<name>=<version>"
  std::string format;   // "text" or "mo"
  std::string stream;
  fs::path path;
};

std::vector<ManifestEntry> ReadManifest(const fs::path& manifest) {
  const std::optional<std::string> text = ReadFileIfPresent(manifest);
  if (!text) throw SetupError(fmt::format("cannot read {}: is the checkout complete?", manifest.string()));
  std::vector<ManifestEntry> entries;
  std::istringstream lines(*text);
  int number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    ManifestEntry entry;
    std::string path, extra;
    fields >> entry.sha256 >> entry.package >> entry.format >> entry.stream >> path;
    if (path.empty() || (fields >> extra) || entry.sha256.size() != 64 ||
        (entry.format != "text" && entry.format != "mo")) {
      throw SetupError(fmt::format("{} line {}: expected '<sha256> <package>=<version> <text|mo> <stream> <path>'; "
                                   "restore the file from git",
                                   manifest.string(), number));
    }
    entry.path = path;
    entries.push_back(std::move(entry));
  }
  if (entries.empty()) throw SetupError(fmt::format("{} lists no files; restore it from git", manifest.string()));
  return entries;
}

// What to do about a missing or different source file: which package ships it.
std::string InstallAdvice(const ManifestEntry& entry) {
  const size_t equals = entry.package.find('=');
  const std::string name = entry.package.substr(0, equals);
  const std::string version = equals == std::string::npos ? "?" : entry.package.substr(equals + 1);
  return fmt::format("it comes from the Debian 12 package {} (version {} when the list was made): run ./claimbench "
                     "setup (setup/debian-packages.txt) or sudo apt-get install {}; another version of {} may not give "
                     "the same bytes, and then this corpus cannot be made on this machine",
                     name, version, name, name);
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    throw SetupError("OpenSSL's SHA-256 failed; is libssl3 installed correctly?");
  }
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::vector<std::string> MoTranslations(std::string_view mo, std::string_view name) {
  if (ReadLittleEndian32(mo, 0, name) != kMoMagic) {
    throw SetupError(fmt::format("{} is not a little-endian gettext catalogue (.mo)", name));
  }
  const uint32_t count = ReadLittleEndian32(mo, 8, name);
  const uint32_t originals = ReadLittleEndian32(mo, 12, name);
  const uint32_t translations = ReadLittleEndian32(mo, 16, name);
  std::vector<std::string> texts;
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t id_length = ReadLittleEndian32(mo, originals + 8 * static_cast<size_t>(i), name);
    if (id_length == 0) continue;  // the header entry: metadata, not text
    const std::string_view translation =
        Slice(mo, ReadLittleEndian32(mo, translations + 8 * static_cast<size_t>(i) + 4, name),
              ReadLittleEndian32(mo, translations + 8 * static_cast<size_t>(i), name), name);
    for (size_t begin = 0; begin <= translation.size();) {
      size_t end = translation.find('\0', begin);
      if (end == std::string_view::npos) end = translation.size();
      if (end > begin) texts.emplace_back(translation.substr(begin, end - begin));
      begin = end + 1;
    }
  }
  return texts;
}

std::vector<SourceStream> ReadDebianSources(const fs::path& manifest) {
  std::vector<SourceStream> streams;
  for (const ManifestEntry& entry : ReadManifest(manifest)) {
    const std::optional<std::string> contents = ReadFileIfPresent(entry.path);
    if (!contents) {
      throw SetupError(fmt::format("corpus source {} (listed in {}) is missing or unreadable: {}", entry.path.string(),
                                   manifest.filename().string(), InstallAdvice(entry)));
    }
    if (const std::string got = Sha256Hex(*contents); got != entry.sha256) {
      throw SetupError(fmt::format("corpus source {} (listed in {}) has sha256 {}, not {}: {}", entry.path.string(),
                                   manifest.filename().string(), got, entry.sha256, InstallAdvice(entry)));
    }
    if (streams.empty() || streams.back().name != entry.stream) {
      auto known = std::find_if(streams.begin(), streams.end(),
                                [&](const SourceStream& stream) { return stream.name == entry.stream; });
      if (known != streams.end()) {
        throw SetupError(fmt::format("{}: the lines of stream '{}' must be together; restore it from git",
                                     manifest.string(), entry.stream));
      }
      streams.push_back({entry.stream, {}});
    }
    std::vector<std::string>& texts = streams.back().texts;
    if (entry.format == "text") {
      texts.push_back(*contents);
    } else {
      for (std::string& text : MoTranslations(*contents, entry.path.string())) texts.push_back(std::move(text));
    }
  }
  return streams;
}

}  // namespace claimbench::tokenizer_workload
