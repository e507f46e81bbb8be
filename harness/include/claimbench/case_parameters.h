// Typed access to a case's string parameters, with errors that name the parameter and say how to fix it.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

namespace claimbench {

struct CaseSpec;

// Reads parameters of one case (its profile defaults after `run --param K=V` overrides).
// Every accessor throws SetupError for a missing parameter or a malformed or out-of-range value.
class CaseParameters {
 public:
  explicit CaseParameters(const CaseSpec& spec);

  int64_t Int(std::string_view name, int64_t min, int64_t max) const;
  double Double(std::string_view name, double min, double max) const;
  std::string String(std::string_view name) const;
  std::string Choice(std::string_view name, std::initializer_list<std::string_view> allowed) const;

 private:
  const std::string& Raw(std::string_view name) const;

  const std::string& case_name_;
  const std::map<std::string, std::string>& values_;
};

}  // namespace claimbench
