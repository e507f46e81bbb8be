#include "chunk_hash.h"

#include <tbb/parallel_pipeline.h>

namespace claimbench::sync {
namespace {

// One chunk travelling through the pipeline.
struct Piece {
  std::size_t offset = 0;
  std::uint32_t length = 0;
  std::string hex;
};

}  // namespace

std::vector<HashedChunk> ChunkAndHash(const Chunker& chunker, HashKind kind,
                                      std::span<const std::uint8_t> data, int threads,
                                      const ChunkSink& sink) {
  std::vector<HashedChunk> chunks;
  chunks.reserve(data.size() / chunker.params().avg + 1);
  std::size_t offset = 0;
  if (threads <= 1) {
    while (offset < data.size()) {
      auto length = static_cast<std::uint32_t>(chunker.NextLength(data.subspan(offset)));
      std::span<const std::uint8_t> piece = data.subspan(offset, length);
      std::string hex = HashHex(kind, piece);
      if (sink) sink(piece, hex);
      chunks.push_back({length, std::move(hex)});
      offset += length;
    }
    return chunks;
  }
  tbb::parallel_pipeline(
      static_cast<std::size_t>(threads) * 2,
      tbb::make_filter<void, Piece>(tbb::filter_mode::serial_in_order, [&](tbb::flow_control& control) {
        Piece piece;
        if (offset >= data.size()) {
          control.stop();
          return piece;
        }
        piece.offset = offset;
        piece.length = static_cast<std::uint32_t>(chunker.NextLength(data.subspan(offset)));
        offset += piece.length;
        return piece;
      }) & tbb::make_filter<Piece, Piece>(tbb::filter_mode::parallel, [&](Piece piece) {
        std::span<const std::uint8_t> bytes = data.subspan(piece.offset, piece.length);
        piece.hex = HashHex(kind, bytes);
        if (sink) sink(bytes, piece.hex);
        return piece;
      }) & tbb::make_filter<Piece, void>(tbb::filter_mode::serial_in_order, [&](Piece piece) {
        chunks.push_back({piece.length, std::move(piece.hex)});
      }));
  return chunks;
}

}  // namespace claimbench::sync
