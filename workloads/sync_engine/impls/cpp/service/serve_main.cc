#include "serve_main.h"

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>
#include <new>
#include <string_view>

#include "backing_table.h"
#include "claimbench/impl/marks.h"
#include "read_states_server.h"
#include "read_states_store.h"
#include "service_trace.h"

namespace claimbench::sync_service {
namespace {

constexpr const char* kUsage =
    "usage: sync_engine serve --listen HOST:PORT --entries N [--keys K] [--write-back-ms MS] [--threads N] "
    "[--backing FILE] [--trace FILE]";

struct ServeOptions {
  ServerOptions server;
  uint64_t entries = 0;
  uint64_t keys = 0;  // 0: entries + entries / 4
  int64_t write_back_ms = 100;
  std::string backing;  // empty: an anonymous in-memory file
  std::string trace;    // empty: no trace (service_trace.h)
};

int Fail(int status, const std::string& what) {
  std::fprintf(stderr, "sync_engine: error: %s\n", what.c_str());
  return status;
}

bool ParseUint(std::string_view text, uint64_t min, uint64_t max, uint64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= min && out <= max;
}

// Fills `options`; returns the error line, empty when the arguments are good.
std::string Parse(const std::vector<std::string>& args, ServeOptions& options) {
  bool have_listen = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (i + 1 >= args.size()) return flag + " needs a value; " + kUsage;
    const std::string& value = args[++i];
    uint64_t number = 0;
    if (flag == "--listen") {
      size_t colon = value.rfind(':');
      if (colon == std::string::npos || colon == 0 ||
          !ParseUint(std::string_view(value).substr(colon + 1), 0, 65535, number)) {
        return "--listen wants HOST:PORT (port 0..65535), got '" + value + "'";
      }
      options.server.host = value.substr(0, colon);
      if (options.server.host.size() > 2 && options.server.host.front() == '[') {
        options.server.host = options.server.host.substr(1, options.server.host.size() - 2);
      }
      options.server.port = static_cast<uint16_t>(number);
      have_listen = true;
    } else if (flag == "--entries") {
      if (!ParseUint(value, 1, ReadStatesStore::kMaxEntries, number)) {
        return "--entries wants a count from 1 to " + std::to_string(ReadStatesStore::kMaxEntries) +
               ", got '" + value + "'";
      }
      options.entries = number;
    } else if (flag == "--keys") {
      if (!ParseUint(value, 1, uint64_t{1} << 40, number))
        return "--keys wants a count from 1 to 2^40, got '" + value + "'";
      options.keys = number;
    } else if (flag == "--write-back-ms") {
      if (!ParseUint(value, 1, 3'600'000, number))
        return "--write-back-ms wants 1..3600000, got '" + value + "'";
      options.write_back_ms = static_cast<int64_t>(number);
    } else if (flag == "--threads") {
      if (!ParseUint(value, 1, 1024, number)) return "--threads wants 1..1024, got '" + value + "'";
      options.server.threads = static_cast<int>(number);
    } else if (flag == "--backing") {
      if (value.empty()) return "--backing wants a file path";
      options.backing = value;
    } else if (flag == "--trace") {
      if (value.empty()) return "--trace wants a file path";
      options.trace = value;
    } else {
      return "unknown option '" + flag + "'; " + kUsage;
    }
  }
  if (!have_listen) return std::string("--listen is required; ") + kUsage;
  if (options.entries == 0) return std::string("--entries is required; ") + kUsage;
  if (options.keys == 0) options.keys = options.entries + options.entries / 4;
  return "";
}

}  // namespace

int ServeMain(const std::vector<std::string>& args) {
  ServeOptions options;
  if (std::string error = Parse(args, options); !error.empty()) return Fail(2, error);
  std::unique_ptr<BackingTable> table;
  std::unique_ptr<ReadStatesStore> store;
  std::unique_ptr<ReadStatesServer> server;
  std::unique_ptr<ServiceTrace> trace;
  try {  // set-up: what fails here is the caller's to fix (a path, an address, a size)
    table = std::make_unique<BackingTable>(options.backing, options.keys);
    store = std::make_unique<ReadStatesStore>(options.entries, *table);
    store->Preload();
    if (!options.trace.empty()) trace = std::make_unique<ServiceTrace>(options.trace, *store);
    options.server.trace = trace.get();
    options.server.write_back_period = std::chrono::milliseconds(options.write_back_ms);
    server = std::make_unique<ReadStatesServer>(*store, options.server);
  } catch (const std::bad_alloc&) {
    return Fail(2, "out of memory for " + std::to_string(options.entries) + " entries; lower --entries");
  } catch (const std::exception& error) {
    return Fail(2, error.what());
  }
  try {
    if (trace) trace->Start(::gettid());
    server->Run(/*stop_on_signals=*/true, [] { claimbench::impl::Mark("ready"); });
    if (trace) trace->Stop();
    store->WriteBack();  // nothing dirty stays behind
  } catch (const std::exception& error) {
    return Fail(1, error.what());
  }
  StoreCounters c = store->counters();
  std::printf(
      "{\"entries\": %llu, \"keys\": %llu, \"requests\": %llu, \"hits\": %llu, \"misses\": %llu, "
      "\"evictions\": %llu, \"loaded_from_table\": %llu, \"written_back\": %llu}\n",
      static_cast<unsigned long long>(store->size()), static_cast<unsigned long long>(options.keys),
      static_cast<unsigned long long>(c.requests), static_cast<unsigned long long>(c.hits),
      static_cast<unsigned long long>(c.misses), static_cast<unsigned long long>(c.evictions),
      static_cast<unsigned long long>(c.loaded_from_table), static_cast<unsigned long long>(c.written_back));
  std::fflush(stdout);
  return 0;
}

}  // namespace claimbench::sync_service
