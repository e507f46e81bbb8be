// Transparent huge pages for the encode's few large buffers (the word cache's table, the ids of a run of
// documents). Where the kernel gives huge pages only on request (THP "madvise", Debian's default), each
// 4 KiB page of those buffers cost a page fault and a TLB entry: on held-out text, a tenth of the encode.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>

namespace claimbench::tokenizer {

inline constexpr size_t kHugePageBytes = size_t{2} << 20;

// Asks for huge pages on the whole 2 MiB pages inside [data, data + bytes). Advice only: where the kernel
// has none to give, or says no, the buffer keeps 4 KiB pages and is only slower. Call it before the
// buffer's pages are first written.
inline void AdviseHugePages(void* data, size_t bytes) {
  const uintptr_t start = reinterpret_cast<uintptr_t>(data);
  const uintptr_t begin = (start + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  const uintptr_t end = (start + bytes) & ~(kHugePageBytes - 1);
  if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

}  // namespace claimbench::tokenizer
