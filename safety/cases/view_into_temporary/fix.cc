// Fix: keep the std::string alive in a variable for as long as the view is used.
#include <cstdio>
#include <string>
#include <string_view>

int main(int argc, char**) {
  const std::string owned = std::string("a temporary string, long enough for the heap: ") +
                            std::to_string(argc);
  std::string_view name = owned;
  unsigned checksum = 0;
  for (char c : name) checksum = checksum * 31 + static_cast<unsigned char>(c);
  std::printf("%zu characters, checksum %u\n", name.size(), checksum);
}
