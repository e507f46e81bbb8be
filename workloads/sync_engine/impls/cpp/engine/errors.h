// The errors the sync engine reports, one class per exit status of SPEC.md: bad arguments or unreadable
// inputs (2), a corrupt store or local state (3), a local folder that changed during the sync (4). Any
// other exception is a failure (1).
#pragma once

#include <stdexcept>
#include <string>

namespace claimbench::sync {

// Exit 2: the message says what is wrong and what to do.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Exit 3: `object` names the bad object (e.g. "packs/ab12...", "index/...", "trees/...", "HEAD", "format",
// ".claimsync/base.json"); `what()` says what is wrong with it.
class CorruptError : public std::runtime_error {
 public:
  CorruptError(std::string object, const std::string& problem)
      : std::runtime_error(problem), object_(std::move(object)) {}
  const std::string& object() const { return object_; }

 private:
  std::string object_;
};

// Exit 4: a local file changed between the scan and the moment the sync would have replaced it.
class LocalChangedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace claimbench::sync
