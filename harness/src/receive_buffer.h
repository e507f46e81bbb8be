// Private: the bytes a load-generator connection has received and not yet handed to a response.
//
// Design: a std::string would zero-fill the room a recv is about to overwrite, so a connection holding a
// partial response could not cheaply read straight onto its end. This buffer grows without initialising
// (doubling, so a large response costs a few moves, not one per read) and keeps its capacity when
// emptied. Not thread-safe; one connection's worker owns it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace claimbench::loadgen::detail {

class ReceiveBuffer {
 public:
  std::string_view view() const noexcept { return {data_.get(), size_}; }
  size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  size_t room() const noexcept { return capacity_ - size_; }  // free bytes at the end
  void clear() noexcept { size_ = 0; }

  // Makes room() at least `bytes` and returns where the free bytes begin.
  char* Reserve(size_t bytes) {
    if (room() < bytes) {
      const size_t capacity = std::max(size_ + bytes, 2 * capacity_);
      auto grown = std::make_unique_for_overwrite<char[]>(capacity);
      if (size_ > 0) std::memcpy(grown.get(), data_.get(), size_);
      data_ = std::move(grown);
      capacity_ = capacity;
    }
    return data_.get() + size_;
  }
  // Counts `bytes` written at the pointer Reserve returned as received.
  void Commit(size_t bytes) noexcept { size_ += bytes; }
  void Append(std::string_view bytes) {
    if (bytes.empty()) return;
    std::memcpy(Reserve(bytes.size()), bytes.data(), bytes.size());
    Commit(bytes.size());
  }
  // Drops the first `bytes` (at most size()), moving what follows to the front.
  void Consume(size_t bytes) noexcept {
    if (bytes < size_) std::memmove(data_.get(), data_.get() + bytes, size_ - bytes);
    size_ -= std::min(bytes, size_);
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace claimbench::loadgen::detail
