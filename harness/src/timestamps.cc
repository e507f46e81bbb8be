#include "timestamps.h"

#include <unistd.h>

#include <chrono>
#include <ctime>

#include <fmt/format.h>

namespace claimbench {
namespace {

std::string FormatUtc(const char* format) {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[64];
  std::strftime(buffer, sizeof(buffer), format, &utc);
  return buffer;
}

}  // namespace

std::string UtcNowIso8601() { return FormatUtc("%Y-%m-%dT%H:%M:%SZ"); }

std::string NewRunId() {
  auto ticks = std::chrono::steady_clock::now().time_since_epoch().count();
  unsigned suffix = static_cast<unsigned>((static_cast<uint64_t>(ticks) ^ (static_cast<uint64_t>(::getpid()) << 16)) & 0xffff);
  return fmt::format("run-{}-{:04x}", FormatUtc("%Y%m%dT%H%M%SZ"), suffix);
}

}  // namespace claimbench
