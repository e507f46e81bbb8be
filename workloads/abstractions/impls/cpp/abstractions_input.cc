#include "abstractions_input.h"

namespace claimbench::abstractions {

std::vector<uint32_t> MakeValues(SplitMix64& draws, size_t count) {
  std::vector<uint32_t> values(count);
  for (uint32_t& value : values) value = static_cast<uint32_t>(draws.Next() >> 48);
  return values;
}

std::string MakeText(SplitMix64& draws, size_t bytes) {
  std::string text;
  text.reserve(bytes + 16);
  while (text.size() < bytes) {
    const uint64_t letters = 1 + draws.Next() % 12;
    for (uint64_t i = 0; i < letters; ++i) text.push_back(static_cast<char>('a' + draws.Next() % 26));
    text.append(1 + draws.Next() % 3, ' ');
  }
  text.resize(bytes);
  return text;
}

}  // namespace claimbench::abstractions
