// Replays a fuzz target's corpus without libFuzzer (GCC builds): every file named on the command line, or
// found under a directory named there, is read whole and given once to LLVMFuzzerTestOneInput. A crash or
// a sanitizer report (in the asan build) fails the ctest; the target's own checks abort as they would under
// libFuzzer. Exit 2 with one line when an argument cannot be read, or when no input was found.
//
//   NAME_replay FILE_OR_DIR...
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

bool Replay(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "fuzz replay: error: cannot read %s\n", path.c_str());
    return false;
  }
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A copy in its own allocation, so ASan sees a read past the end of the input.
  const std::vector<uint8_t> input(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(input.data(), input.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE_OR_DIR...  (feeds each input to the fuzz target once)\n", argv[0]);
    return 2;
  }
  size_t inputs = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    std::error_code error;
    if (std::filesystem::is_directory(arg, error)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::recursive_directory_iterator(arg)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());  // a fixed order, so a failure reproduces
      for (const auto& file : files) {
        if (!Replay(file)) return 2;
        ++inputs;
      }
    } else {
      if (!Replay(arg)) return 2;
      ++inputs;
    }
  }
  if (inputs == 0) {
    std::fprintf(stderr, "fuzz replay: error: no inputs found in the arguments; give a seed file or directory\n");
    return 2;
  }
  std::printf("fuzz replay: %zu inputs, no crash\n", inputs);
  return 0;
}
