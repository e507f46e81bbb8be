// http_proxy serve --listen HOST:PORT --upstream HOST:PORT [--upstream ...] [--threads N] [timeouts]
// The command line of ../SPEC.md; errors in it exit 2 with one line saying what to fix.
#include <charconv>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "claimbench/impl/marks.h"
#include "proxy_server.h"

namespace {

using claimbench::http_proxy::HostPort;
using claimbench::http_proxy::ProxyOptions;

constexpr std::string_view kUsage =
    "usage: http_proxy serve --listen HOST:PORT --upstream HOST:PORT [--upstream HOST:PORT]... [--threads N]\n"
    "       [--header-timeout-ms MS] [--idle-timeout-ms MS] [--body-timeout-ms MS]\n"
    "       [--upstream-connect-timeout-ms MS] [--upstream-read-timeout-ms MS]\n";

int UsageError(const std::string& what) {
  std::fprintf(stderr, "http_proxy: %s\n%s", what.c_str(), kUsage.data());
  return 2;
}

bool ParseInt(std::string_view text, long long min, long long max, long long& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= min && out <= max;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string_view(argv[1]) != "serve") return UsageError("the only command is 'serve'");
  ProxyOptions options;
  bool have_listen = false;
  for (int i = 2; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (i + 1 >= argc) return UsageError(std::string(flag) + " needs a value");
    std::string_view value = argv[++i];
    long long number = 0;
    auto millis = [&](std::chrono::milliseconds& target) {
      if (!ParseInt(value, 1, 86'400'000, number)) return false;
      target = std::chrono::milliseconds(number);
      return true;
    };
    if (flag == "--listen") {
      if (!claimbench::http_proxy::ParseHostPort(value, options.listen)) {
        return UsageError("--listen wants HOST:PORT, got '" + std::string(value) + "'");
      }
      have_listen = true;
    } else if (flag == "--upstream") {
      HostPort upstream;
      if (!claimbench::http_proxy::ParseHostPort(value, upstream) || upstream.port == 0) {
        return UsageError("--upstream wants HOST:PORT, got '" + std::string(value) + "'");
      }
      options.upstreams.push_back(upstream);
    } else if (flag == "--threads") {
      if (!ParseInt(value, 1, 1024, number)) return UsageError("--threads wants 1..1024");
      options.threads = static_cast<int>(number);
    } else if (flag == "--header-timeout-ms") {
      if (!millis(options.header_timeout)) return UsageError("--header-timeout-ms wants a positive number");
    } else if (flag == "--idle-timeout-ms") {
      if (!millis(options.idle_timeout)) return UsageError("--idle-timeout-ms wants a positive number");
    } else if (flag == "--body-timeout-ms") {
      if (!millis(options.body_timeout)) return UsageError("--body-timeout-ms wants a positive number");
    } else if (flag == "--upstream-connect-timeout-ms") {
      if (!millis(options.upstream_connect_timeout)) return UsageError("--upstream-connect-timeout-ms wants a positive number");
    } else if (flag == "--upstream-read-timeout-ms") {
      if (!millis(options.upstream_read_timeout)) return UsageError("--upstream-read-timeout-ms wants a positive number");
    } else {
      return UsageError("unknown option '" + std::string(flag) + "'");
    }
  }
  if (!have_listen) return UsageError("--listen is required");
  if (options.upstreams.empty()) return UsageError("at least one --upstream is required");
  try {
    claimbench::http_proxy::RunProxy(options, [] { claimbench::impl::Mark("ready"); });
  } catch (const std::exception& error) {
    std::fprintf(stderr, "http_proxy: %s\n", error.what());
    return 1;
  }
  return 0;
}
