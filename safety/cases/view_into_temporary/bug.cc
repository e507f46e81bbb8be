// Bug: a std::string_view into a temporary std::string, destroyed at the end of the full expression
// (heap use after free when the view is read).
#include <cstdio>
#include <string>
#include <string_view>

int main(int argc, char**) {
  std::string_view name = std::string("a temporary string, long enough for the heap: ") +
                          std::to_string(argc);
  unsigned checksum = 0;
  for (char c : name) checksum = checksum * 31 + static_cast<unsigned char>(c);  // reads the freed bytes
  std::printf("%zu characters, checksum %u\n", name.size(), checksum);
}
