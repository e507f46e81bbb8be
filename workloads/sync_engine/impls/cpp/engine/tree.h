// Tree snapshots (SPEC.md, The remote store): nodes keyed by an opaque id that a rename or move keeps,
// their JSON form, and the paths they describe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "hasher.h"

namespace claimbench::sync {

struct ChunkRef {
  std::string hash;  // lowercase hex
  std::uint64_t length = 0;
  bool operator==(const ChunkRef&) const = default;
};

struct Node {
  std::string id;
  std::string parent;  // empty: a child of the root
  std::string name;
  bool is_dir = false;
  std::uint64_t size = 0;        // files only
  std::string hash;              // files only: content hash, ContentHash(kind, chunks) (not of the bytes)
  std::vector<ChunkRef> chunks;  // files only
  bool SameContent(const Node& other) const { return is_dir == other.is_dir && hash == other.hash; }
  bool SameLocation(const Node& other) const { return parent == other.parent && name == other.name; }
  bool operator==(const Node&) const = default;
};

struct Tree {
  std::string parent;                 // hash of the previous tree in the store, or empty
  std::map<std::string, Node> nodes;  // by id

  const Node* Find(const std::string& id) const {
    auto it = nodes.find(id);
    return it == nodes.end() ? nullptr : &it->second;
  }
};

// The canonical JSON bytes of a tree (nodes sorted by id, keys sorted): what is hashed and stored.
std::string TreeToJson(const Tree& tree);
// Parses and checks a snapshot (ids unique, parents exist and are dirs, no cycles, names valid, hashes hex
// of `digest_hex` digits); throws CorruptError naming `object` otherwise.
Tree TreeFromJson(const std::string& text, const std::string& object, std::size_t digest_hex);

// Relative path ("a/b/c") of every node, by id. Requires a valid (acyclic) tree.
std::map<std::string, std::string> NodePaths(const Tree& tree);

// A valid single path component: not empty, not "." or "..", no '/' or NUL.
bool IsValidName(const std::string& name);

// A file's content hash from its chunk list (SPEC.md): the hash of the chunks' binary digests in order.
// Throws std::invalid_argument when a chunk hash is not a digest of `kind`.
std::string ContentHash(HashKind kind, const std::vector<ChunkRef>& chunks);

// SPEC.md Tree hash of a folder on disk (reads every regular file; skips `.claimsync/` at the top).
std::string TreeHashOfFolder(const std::string& dir);

}  // namespace claimbench::sync
