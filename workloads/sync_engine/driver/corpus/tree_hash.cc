#include "tree_hash.h"

#include <openssl/evp.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "claimbench/error.h"

namespace claimbench::sync_corpus {
namespace {

namespace fs = std::filesystem;

// One SHA-256 computation through OpenSSL's EVP interface.
class Sha256 {
 public:
  Sha256() : context_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
    if (!context_ || EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr) != 1) {
      throw SetupError("OpenSSL cannot start a SHA-256 digest; is libssl installed correctly?");
    }
  }
  void Update(std::string_view data) { EVP_DigestUpdate(context_.get(), data.data(), data.size()); }
  std::string HexDigest() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(context_.get(), digest, &length);
    std::string hex;
    hex.reserve(2 * length);
    for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
    return hex;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> context_;
};

}  // namespace

std::string Sha256Hex(std::string_view data) {
  Sha256 sha;
  sha.Update(data);
  return sha.HexDigest();
}

std::string FileSha256Hex(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SetupError(fmt::format("cannot read {}; check that it exists and is readable", path.string()));
  Sha256 sha;
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    sha.Update(std::string_view(buffer.data(), static_cast<size_t>(in.gcount())));
  }
  if (in.bad()) throw SetupError(fmt::format("error reading {}; is the disk healthy?", path.string()));
  return sha.HexDigest();
}

std::string TreeHash(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw SetupError(fmt::format("{} is not a directory", dir.string()));
  std::vector<std::pair<std::string, fs::path>> files;  // relative path (generic, '/') and full path
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(dir, error); !error && it != fs::recursive_directory_iterator();
       it.increment(error)) {
    if (it.depth() == 0 && it->path().filename() == ".claimsync") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && !it->is_symlink()) {
      files.emplace_back(it->path().lexically_relative(dir).generic_string(), it->path());
    }
  }
  if (error) throw SetupError(fmt::format("cannot list {}: {}", dir.string(), error.message()));
  std::sort(files.begin(), files.end());  // std::string compares as bytes (char_traits<char>::compare)
  Sha256 tree;
  for (const auto& [relative, full] : files) {
    tree.Update(relative);
    tree.Update(std::string_view("\0", 1));
    tree.Update(std::to_string(fs::file_size(full)));
    tree.Update(std::string_view("\0", 1));
    tree.Update(FileSha256Hex(full));
    tree.Update("\n");
  }
  return tree.HexDigest();
}

}  // namespace claimbench::sync_corpus
