#include "tree.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <vector>

#include "errors.h"
#include "hasher.h"

namespace claimbench::sync {
namespace {

using nlohmann::json;

void TreeHashLine(StreamHasher& hasher, const std::string& path, std::uint64_t size, const std::string& sha) {
  std::string line = path;
  line.push_back('\0');
  line += std::to_string(size);
  line.push_back('\0');
  line += sha;
  line.push_back('\n');
  hasher.Update(Bytes(line));
}

}  // namespace

bool IsValidName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

std::string TreeToJson(const Tree& tree) {
  json nodes = json::array();
  for (const auto& [id, node] : tree.nodes) {
    json entry = {{"id", node.id},
                  {"parent", node.parent},
                  {"name", node.name},
                  {"kind", node.is_dir ? "dir" : "file"}};
    if (!node.is_dir) {
      entry["size"] = node.size;
      entry["hash"] = node.hash;
      json chunks = json::array();
      for (const ChunkRef& chunk : node.chunks) chunks.push_back(json::array({chunk.hash, chunk.length}));
      entry["chunks"] = std::move(chunks);
    }
    nodes.push_back(std::move(entry));
  }
  json root = {{"parent", tree.parent}, {"nodes", std::move(nodes)}};
  return root.dump();
}

Tree TreeFromJson(const std::string& text, const std::string& object, std::size_t digest_hex) {
  Tree tree;
  try {
    json root = json::parse(text);
    tree.parent = root.at("parent").get<std::string>();
    if (!tree.parent.empty() && !IsLowerHex(tree.parent, digest_hex))
      throw CorruptError(object, "bad parent hash");
    for (const json& entry : root.at("nodes")) {
      Node node;
      node.id = entry.at("id").get<std::string>();
      node.parent = entry.at("parent").get<std::string>();
      node.name = entry.at("name").get<std::string>();
      std::string kind = entry.at("kind").get<std::string>();
      if (kind != "file" && kind != "dir")
        throw CorruptError(object, "node " + node.id + " has kind " + kind);
      node.is_dir = kind == "dir";
      if (!node.is_dir) {
        node.size = entry.at("size").get<std::uint64_t>();
        node.hash = entry.at("hash").get<std::string>();
        if (!IsLowerHex(node.hash, digest_hex))
          throw CorruptError(object, "node " + node.id + " has a bad hash");
        std::uint64_t total = 0;
        for (const json& chunk : entry.at("chunks")) {
          ChunkRef ref{chunk.at(0).get<std::string>(), chunk.at(1).get<std::uint64_t>()};
          if (!IsLowerHex(ref.hash, digest_hex) || ref.length == 0 || chunk.size() != 2) {
            throw CorruptError(object, "node " + node.id + " has a bad chunk reference");
          }
          total += ref.length;
          node.chunks.push_back(std::move(ref));
        }
        if (total != node.size)
          throw CorruptError(object, "node " + node.id + ": chunk lengths do not add up to its size");
      }
      if (node.id.empty() || !IsValidName(node.name)) {
        throw CorruptError(object, "node '" + node.id + "' has an invalid id or name");
      }
      std::string id = node.id;
      if (!tree.nodes.emplace(id, std::move(node)).second)
        throw CorruptError(object, "duplicate node id " + id);
    }
  } catch (const json::exception& error) {
    throw CorruptError(object, std::string("not a valid tree snapshot: ") + error.what());
  }
  // Parents exist and are dirs; no cycles; no two nodes at one path.
  std::set<std::pair<std::string, std::string>> places;
  for (const auto& [id, node] : tree.nodes) {
    if (!places.emplace(node.parent, node.name).second) {
      throw CorruptError(object, "two nodes named '" + node.name + "' in one directory");
    }
    std::string at = node.parent;
    std::size_t steps = 0;
    while (!at.empty()) {
      const Node* parent = tree.Find(at);
      if (parent == nullptr || !parent->is_dir)
        throw CorruptError(object, "node " + id + " has no parent directory " + at);
      if (++steps > tree.nodes.size()) throw CorruptError(object, "node " + id + " is in a cycle");
      at = parent->parent;
    }
  }
  return tree;
}

std::map<std::string, std::string> NodePaths(const Tree& tree) {
  std::map<std::string, std::string> paths;
  // Memoised walk up the parents; the tree is acyclic.
  std::vector<const Node*> stack;
  for (const auto& [id, node] : tree.nodes) {
    if (paths.count(id)) continue;
    const Node* at = &node;
    while (at != nullptr && !paths.count(at->id)) {
      stack.push_back(at);
      at = at->parent.empty() ? nullptr : tree.Find(at->parent);
    }
    while (!stack.empty()) {
      const Node* n = stack.back();
      stack.pop_back();
      paths[n->id] = n->parent.empty() ? n->name : paths.at(n->parent) + "/" + n->name;
    }
  }
  return paths;
}

std::string ContentHash(HashKind kind, const std::vector<ChunkRef>& chunks) {
  ContentHasher hasher(kind);
  for (const ChunkRef& chunk : chunks) hasher.AddChunk(chunk.hash);
  return hasher.FinishHex();
}

std::string TreeHashOfFolder(const std::string& dir) {
  namespace fs = std::filesystem;
  std::map<std::string, fs::path> files;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    std::string relative = fs::relative(it->path(), dir).generic_string();
    if (it.depth() == 0 && it->path().filename() == ".claimsync") {
      it.disable_recursion_pending();
      continue;
    }
    std::error_code ec;
    if (it->is_regular_file(ec) && !it->is_symlink(ec)) files.emplace(relative, it->path());
  }
  StreamHasher tree_hasher(HashKind::kSha256);
  StreamHasher file_hasher(HashKind::kSha256);
  std::vector<char> buffer(1 << 20);
  for (const auto& [relative, path] : files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::uint64_t size = 0;
    while (in) {
      in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      std::size_t got = static_cast<std::size_t>(in.gcount());
      file_hasher.Update({reinterpret_cast<const std::uint8_t*>(buffer.data()), got});
      size += got;
    }
    TreeHashLine(tree_hasher, relative, size, file_hasher.FinishHex());
  }
  return tree_hasher.FinishHex();
}

}  // namespace claimbench::sync
