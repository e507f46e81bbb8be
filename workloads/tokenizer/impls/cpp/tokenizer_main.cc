// The tokenizer workload's C++ reference (../SPEC.md): encode documents to ids, or decode ids to text.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include "byte_level.h"
#include "claimbench/impl/marks.h"
#include "claimbench/impl/tbb_workers.h"
#include "huge_pages.h"
#include "tokenizer.h"

namespace {

namespace tok = claimbench::tokenizer;

[[noreturn]] void UsageError(const std::string& message) {
  std::cerr << "tokenizer: " << message << "\n"
            << "usage: tokenizer encode --tokenizer FILE --input FILE [--threads N] [--latency-out FILE]\n"
            << "       tokenizer decode --tokenizer FILE --input FILE\n";
  std::exit(2);
}

// Bad input (an unusable tokenizer.json, invalid UTF-8, an unreadable file): exit 2, nothing was measured.
[[noreturn]] void InputError(const std::string& message) {
  std::cerr << "tokenizer: " << message << "\n";
  std::exit(2);
}

struct Options {
  std::string command;
  std::string tokenizer;
  std::string input;
  std::string latency_out;
  int threads = 1;
};

Options ParseOptions(int argc, char** argv) {
  if (argc < 2) UsageError("missing command (encode or decode)");
  Options options;
  options.command = argv[1];
  if (options.command != "encode" && options.command != "decode") UsageError("unknown command '" + options.command + "'");
  for (int i = 2; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) UsageError(flag + " needs a value");
    std::string value = argv[++i];
    if (flag == "--tokenizer") {
      options.tokenizer = value;
    } else if (flag == "--input") {
      options.input = value;
    } else if (flag == "--latency-out" && options.command == "encode") {
      options.latency_out = value;
    } else if (flag == "--threads" && options.command == "encode") {
      int threads = 0;
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), threads);
      if (error != std::errc() || end != value.data() + value.size() || threads < 1 || threads > 1024) {
        UsageError("--threads expects a number from 1 to 1024, got '" + value + "'");
      }
      options.threads = threads;
    } else {
      UsageError("unknown option '" + flag + "' for " + options.command);
    }
  }
  if (options.tokenizer.empty()) UsageError(options.command + " needs --tokenizer FILE");
  if (options.input.empty()) UsageError(options.command + " needs --input FILE");
  return options;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) InputError("cannot read " + path + ": check the path given to --input");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return std::move(buffer).str();
}

// Documents are the lines of the input, split on '\n' only; a last line without '\n' counts when
// non-empty.
std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

void WriteAll(const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
    std::cerr << "tokenizer: cannot write the output to stdout\n";
    std::exit(1);
  }
}

// The ids of a run of documents, end to end in one buffer, with each document's end: one allocation per
// run instead of one growing vector per document. Reserved at a byte count's worth of ids, which a
// byte-level BPE rarely exceeds (it grows as a vector if it does); pages never written cost no memory.
struct EncodedRun {
  std::vector<uint32_t> ids;
  std::vector<size_t> ends;  // ids of document k are [ends[k-1], ends[k])
};

void EncodeRun(const tok::Tokenizer& tokenizer, std::span<const std::string_view> docs, tok::WordCache& cache,
               EncodedRun& run) {
  size_t bytes = 0;
  for (std::string_view doc : docs) bytes += doc.size();
  run.ids.reserve(bytes + 16);
  tok::AdviseHugePages(run.ids.data(), run.ids.capacity() * sizeof(uint32_t));
  run.ends.reserve(docs.size());
  for (std::string_view doc : docs) {
    tokenizer.Encode(doc, cache, run.ids);
    run.ends.push_back(run.ids.size());
  }
}

int Encode(const tok::Tokenizer& tokenizer, const std::vector<std::string_view>& docs, int threads,
           const std::string& latency_out) {
  // One thread encodes every document as one run; N threads take runs of a 16N-th of the documents each,
  // small enough to balance the threads' work, large enough that each run's buffer is one allocation.
  const size_t docs_per_run = threads == 1 || !latency_out.empty()
                                  ? std::max<size_t>(docs.size(), 1)
                                  : std::max<size_t>((docs.size() + 16 * threads - 1) / (16 * threads), 1);
  std::vector<EncodedRun> runs((docs.size() + docs_per_run - 1) / docs_per_run);
  auto run_docs = [&](size_t r) {
    return std::span(docs).subspan(r * docs_per_run, std::min(docs_per_run, docs.size() - r * docs_per_run));
  };
  std::vector<int64_t> latency_ns;
  // The cache lives until the ids are written: freeing it is not encoding, and stays out of the timed
  // window. All threads share it, so a word is merged once, not once per thread.
  tok::WordCache cache;
  if (!latency_out.empty()) {
    // One document at a time on this thread, each timed on the monotonic clock.
    latency_ns.resize(docs.size());
    if (!runs.empty()) {
      runs[0].ids.reserve(docs.size() * 16);
      for (size_t i = 0; i < docs.size(); ++i) {
        auto start = std::chrono::steady_clock::now();
        tokenizer.Encode(docs[i], cache, runs[0].ids);
        latency_ns[i] = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
        runs[0].ends.push_back(runs[0].ids.size());
      }
    }
  } else if (runs.size() == 1) {
    EncodeRun(tokenizer, run_docs(0), cache, runs[0]);
  } else {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, runs.size(), 1), [&](const tbb::blocked_range<size_t>& range) {
      for (size_t r = range.begin(); r != range.end(); ++r) EncodeRun(tokenizer, run_docs(r), cache, runs[r]);
    });
  }
  claimbench::impl::Mark("done");

  if (!latency_out.empty()) {
    std::ofstream latency(latency_out, std::ios::trunc);
    for (int64_t ns : latency_ns) latency << ns << '\n';
    if (!latency.flush()) InputError("cannot write " + latency_out + ": check the path given to --latency-out");
  }
  std::string out;
  out.reserve(docs.size() * 64);
  char number[16];
  for (const EncodedRun& run : runs) {
    size_t begin = 0;
    for (size_t end : run.ends) {
      for (size_t j = begin; j < end; ++j) {
        if (j > begin) out.push_back(' ');
        auto [last, error] = std::to_chars(number, number + sizeof number, run.ids[j]);
        out.append(number, last);
      }
      out.push_back('\n');
      begin = end;
    }
  }
  WriteAll(out);
  return 0;
}

int Decode(const tok::Tokenizer& tokenizer, const std::vector<std::string_view>& lines) {
  std::string out;
  std::vector<uint32_t> ids;
  for (size_t i = 0; i < lines.size(); ++i) {
    ids.clear();
    std::string_view line = lines[i];
    size_t pos = 0;
    while (pos < line.size()) {
      if (line[pos] == ' ') {
        ++pos;
        continue;
      }
      uint32_t id = 0;
      auto [end, error] = std::from_chars(line.data() + pos, line.data() + line.size(), id);
      if (error != std::errc() || (end != line.data() + line.size() && *end != ' ')) {
        InputError("line " + std::to_string(i + 1) + " of the input: expected space-separated ids, found '" +
                 std::string(line.substr(pos, 20)) + "'");
      }
      ids.push_back(id);
      pos = static_cast<size_t>(end - line.data());
    }
    out += tokenizer.Decode(ids);
    out.push_back('\n');
  }
  claimbench::impl::Mark("done");
  WriteAll(out);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options = ParseOptions(argc, argv);
  try {
    tok::Tokenizer tokenizer = tok::Tokenizer::FromFile(options.tokenizer);
    std::string input = ReadFile(options.input);
    std::vector<std::string_view> lines = SplitLines(input);
    if (options.command == "encode") {
      for (size_t i = 0; i < lines.size(); ++i) {
        size_t valid = tok::ValidUtf8Prefix(lines[i]);
        if (valid != lines[i].size()) {
          InputError(options.input + " line " + std::to_string(i + 1) + ", byte " + std::to_string(valid + 1) +
                   ": invalid UTF-8; the input must be UTF-8 text");
        }
      }
    }
    // The thread pool is start-up, not encoding (SPEC.md); the limit it runs under is set here too.
    std::optional<tbb::global_control> limit;
    if (options.command == "encode" && options.threads > 1 && options.latency_out.empty()) {
      limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(options.threads));
      claimbench::impl::StartTbbWorkers(options.threads);
    }
    claimbench::impl::Mark("ready");
    return options.command == "encode" ? Encode(tokenizer, lines, options.threads, options.latency_out) : Decode(tokenizer, lines);
  } catch (const tok::TokenizerError& error) {
    InputError(error.what());
  }
}
