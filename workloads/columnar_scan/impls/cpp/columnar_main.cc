// columnar_scan's C++ reference (SPEC.md): `generate` makes a columnar data directory, `query` runs one
// TPC-H query on it and prints the answer as CSV. `--layout rows` runs the same query code on a row-store
// copy of the tables, which is the cpp_rowstore implementation. main only parses arguments and turns
// errors into one line and exit status 2.
#include <charconv>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "claimbench/impl/marks.h"
#include "claimbench/impl/tbb_workers.h"
#include "column_store.h"
#include "generate.h"
#include "query.h"

namespace {

using claimbench::columnar::DataError;

constexpr std::string_view kUsage =
    "usage: columnar_scan generate --sf N --out DIR [--generator PATH] [--parquet]\n"
    "       columnar_scan query --data DIR --query q1|q6|q3|q18 [--threads N] [--layout columns|rows]\n";

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// --key value pairs and bare --flags after the subcommand; any other word is a usage error.
std::map<std::string, std::string> ParseOptions(int argc, char** argv, int first,
                                                const std::vector<std::string_view>& flags) {
  std::map<std::string, std::string> options;
  for (int i = first; i < argc; ++i) {
    std::string_view word = argv[i];
    if (word.substr(0, 2) != "--") throw UsageError("unexpected argument '" + std::string(word) + "'");
    std::string key(word.substr(2));
    if (auto eq = key.find('='); eq != std::string::npos) {
      options[key.substr(0, eq)] = key.substr(eq + 1);
      continue;
    }
    bool is_flag = false;
    for (std::string_view flag : flags) is_flag = is_flag || flag == key;
    if (is_flag) {
      options[key] = "1";
    } else {
      if (i + 1 >= argc) throw UsageError("--" + key + " needs a value");
      options[key] = argv[++i];
    }
  }
  return options;
}

std::string Take(std::map<std::string, std::string>& options, const std::string& key, const std::string& fallback,
                 bool required) {
  auto it = options.find(key);
  if (it == options.end()) {
    if (required) throw UsageError("--" + key + " is required");
    return fallback;
  }
  std::string value = it->second;
  options.erase(it);
  return value;
}

void RejectLeftovers(const std::map<std::string, std::string>& options) {
  if (!options.empty()) throw UsageError("unknown option --" + options.begin()->first);
}

int Generate(std::map<std::string, std::string> options) {
  claimbench::columnar::GenerateOptions generate;
  generate.scale_factor = Take(options, "sf", "", true);
  generate.out_dir = Take(options, "out", "", true);
  generate.generator = Take(options, "generator", generate.generator, false);
  generate.parquet = Take(options, "parquet", "", false) == "1";
  RejectLeftovers(options);
  double sf = 0;
  auto [end, error] = std::from_chars(generate.scale_factor.data(), generate.scale_factor.data() + generate.scale_factor.size(), sf);
  if (error != std::errc() || end != generate.scale_factor.data() + generate.scale_factor.size() || !(sf > 0)) {
    throw UsageError("--sf must be a positive number such as 0.1 or 10");
  }
  claimbench::columnar::Generate(generate);
  return 0;
}

int Query(std::map<std::string, std::string> options) {
  const std::string data = Take(options, "data", "", true);
  const std::string query = Take(options, "query", "", true);
  const std::string threads_text = Take(options, "threads", "1", false);
  const std::string layout_text = Take(options, "layout", "columns", false);
  RejectLeftovers(options);
  int threads = 0;
  auto [end, error] = std::from_chars(threads_text.data(), threads_text.data() + threads_text.size(), threads);
  if (error != std::errc() || end != threads_text.data() + threads_text.size() || threads < 1 || threads > 1024) {
    throw UsageError("--threads must be an integer from 1 to 1024");
  }
  if (layout_text != "columns" && layout_text != "rows") throw UsageError("--layout must be columns or rows");
  const auto layout = layout_text == "rows" ? claimbench::columnar::Layout::kRows : claimbench::columnar::Layout::kColumns;

  claimbench::columnar::ColumnStore store(data);
  auto prepared = claimbench::columnar::PrepareQuery(query, layout, store);
  claimbench::impl::StartTbbWorkers(threads);  // the thread pool is start-up (SPEC.md)
  claimbench::impl::Mark("ready");
  const claimbench::columnar::QueryOutput output = prepared->Execute(threads);
  claimbench::impl::Mark("done");
  std::fwrite(output.csv.data(), 1, output.csv.size(), stdout);
  std::fprintf(stderr, "bytes_touched %lld\nrows_scanned %lld\n", static_cast<long long>(output.bytes_touched),
               static_cast<long long>(output.rows_scanned));
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  // `--layout rows` may come before the subcommand (how cpp_rowstore/impl.toml runs this program): move
  // it after the subcommand's other options.
  std::vector<char*> args(argv, argv + argc);
  if (args.size() >= 3 && std::string_view(args[1]) == "--layout") {
    args.push_back(args[1]);
    args.push_back(args[2]);
    args.erase(args.begin() + 1, args.begin() + 3);
  }
  argc = static_cast<int>(args.size());
  argv = args.data();
  try {
    if (argc < 2) throw UsageError("missing subcommand");
    const std::string_view command = argv[1];
    if (command == "--help" || command == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (command == "generate") return Generate(ParseOptions(argc, argv, 2, {"parquet"}));
    if (command == "query") return Query(ParseOptions(argc, argv, 2, {}));
    throw UsageError("unknown subcommand '" + std::string(command) + "'");
  } catch (const UsageError& error) {
    std::cerr << "columnar_scan: error: " << error.what() << "\n" << kUsage;
    return 2;
  } catch (const DataError& error) {
    std::cerr << "columnar_scan: error: " << error.what() << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "columnar_scan: error: " << error.what() << "\n";
    return 2;
  }
}
