#include "claimbench/case_parameters.h"

#include <charconv>

#include <fmt/format.h>

#include "claimbench/error.h"
#include "claimbench/workload.h"

namespace claimbench {

CaseParameters::CaseParameters(const CaseSpec& spec) : case_name_(spec.name), values_(spec.parameters) {}

const std::string& CaseParameters::Raw(std::string_view name) const {
  auto it = values_.find(std::string(name));
  if (it == values_.end()) {
    throw SetupError(fmt::format("case '{}' has no parameter '{}'", case_name_, name));
  }
  return it->second;
}

int64_t CaseParameters::Int(std::string_view name, int64_t min, int64_t max) const {
  const std::string& raw = Raw(name);
  int64_t value = 0;
  auto [end, error] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
  if (error != std::errc() || end != raw.data() + raw.size() || raw.empty()) {
    throw SetupError(fmt::format("--param {}={}: not an integer (case '{}')", name, raw, case_name_));
  }
  if (value < min || value > max) {
    throw SetupError(fmt::format("--param {}={}: must be between {} and {} (case '{}')", name, raw, min, max,
                                 case_name_));
  }
  return value;
}

double CaseParameters::Double(std::string_view name, double min, double max) const {
  const std::string& raw = Raw(name);
  double value = 0;
  auto [end, error] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
  if (error != std::errc() || end != raw.data() + raw.size() || raw.empty()) {
    throw SetupError(fmt::format("--param {}={}: not a number (case '{}')", name, raw, case_name_));
  }
  if (!(value >= min && value <= max)) {
    throw SetupError(fmt::format("--param {}={}: must be between {} and {} (case '{}')", name, raw, min, max,
                                 case_name_));
  }
  return value;
}

std::string CaseParameters::String(std::string_view name) const { return Raw(name); }

std::string CaseParameters::Choice(std::string_view name, std::initializer_list<std::string_view> allowed) const {
  const std::string& raw = Raw(name);
  for (std::string_view option : allowed) {
    if (raw == option) return raw;
  }
  throw SetupError(fmt::format("--param {}={}: choose one of {} (case '{}')", name, raw, fmt::join(allowed, ", "),
                               case_name_));
}

}  // namespace claimbench
