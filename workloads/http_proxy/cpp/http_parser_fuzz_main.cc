// A standalone driver for the parser's fuzz target where libFuzzer is not available (GCC): mutates a
// seed corpus of valid and near-valid messages (byte flips, insertions, deletions, splices, truncation)
// with a fixed seed for a fixed time, under AddressSanitizer in the asan build. Not coverage-guided, so
// weaker than libFuzzer, but it runs in every `./claimbench test`.
//
//   http_parser_fuzz [SECONDS (default 5)] [SEED (default 1)]
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 5;
  std::mt19937_64 random(argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1);
  const std::vector<std::string> seeds = {
      "GET /r/1?size=3 HTTP/1.1\r\nHost: a\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"b\"\r\nhello\r\n0\r\nT: 1\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\na\r\n0\r\n\r\n",
      "5\r\nhello\r\n0\r\n\r\n",
      "GET / HTTP/1.0\r\nConnection: keep-alive\r\nX: \t v \r\n\r\n",
  };
  const std::string alphabet = "\r\n :;,\t\"\\0-+xX/HTTP1.chunked\x00\x7f\xff";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  long long runs = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    for (int batch = 0; batch < 256; ++batch, ++runs) {
      std::string input = seeds[random() % seeds.size()];
      int mutations = 1 + static_cast<int>(random() % 8);
      for (int m = 0; m < mutations; ++m) {
        size_t at = input.empty() ? 0 : random() % input.size();
        switch (random() % 6) {
          case 0: if (!input.empty()) input[at] = static_cast<char>(random()); break;
          case 1: input.insert(at, 1, alphabet[random() % alphabet.size()]); break;
          case 2: if (!input.empty()) input.erase(at, 1 + random() % 4); break;
          case 3: input.insert(at, seeds[random() % seeds.size()]); break;
          case 4: input.resize(at); break;
          case 5: input.insert(at, std::string(random() % 2048, static_cast<char>('a' + random() % 26))); break;
        }
      }
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
    }
  }
  std::printf("http_parser_fuzz: %lld inputs in %.1f s, no crash\n", runs, seconds);
  return 0;
}
