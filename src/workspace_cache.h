// Per-object workspace for runs without a caller-provided one. Concurrent runs
// on one object each lease their own buffer; buffers are kept for reuse, so a
// steady stream of runs allocates nothing after the first.
#pragma once

#include <cstddef>
#include <mutex>
#include <new>
#include <vector>

#include "src/aligned_buffer.h"

namespace hawc {

class WorkspaceCache {
 public:
  class Lease {
   public:
    Lease(WorkspaceCache* cache, AlignedBuffer<unsigned char> buffer)
        : cache_(cache), buffer_(std::move(buffer)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (cache_ != nullptr && buffer_.data() != nullptr) cache_->give_back(std::move(buffer_));
    }
    unsigned char* data() { return buffer_.data(); }

   private:
    WorkspaceCache* cache_;
    AlignedBuffer<unsigned char> buffer_;
  };

  // A buffer of at least `bytes`; data() is NULL when memory ran out.
  Lease lease(size_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (size_t i = 0; i < free_.size(); ++i)
        if (free_[i].size() >= bytes) {
          AlignedBuffer<unsigned char> b = std::move(free_[i]);
          free_.erase(free_.begin() + long(i));
          return Lease(this, std::move(b));
        }
    }
    AlignedBuffer<unsigned char> b;
    if (!b.allocate(bytes)) return Lease(nullptr, AlignedBuffer<unsigned char>());
    return Lease(this, std::move(b));
  }

 private:
  // Called from ~Lease, so it must not throw: when the list cannot grow the
  // buffer is freed instead of cached (the next run allocates again).
  void give_back(AlignedBuffer<unsigned char> b) noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    try {
      free_.push_back(std::move(b));
    } catch (const std::bad_alloc&) {
    }
  }
  std::mutex mutex_;
  std::vector<AlignedBuffer<unsigned char>> free_;
};

}  // namespace hawc
