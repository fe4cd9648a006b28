// Cache-line aligned, uninitialised array (weights, workspaces). Move-only.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

namespace hawc {

template <typename T>
class AlignedBuffer {
 public:
  static constexpr size_t kAlignment = 64;
  AlignedBuffer() = default;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(AlignedBuffer&& o) noexcept {
    if (this != &o) {
      std::free(data_);
      data_ = o.data_, size_ = o.size_;
      o.data_ = nullptr, o.size_ = 0;
    }
    return *this;
  }
  AlignedBuffer(AlignedBuffer&& o) noexcept : data_(o.data_), size_(o.size_) { o.data_ = nullptr, o.size_ = 0; }
  ~AlignedBuffer() { std::free(data_); }

  // Returns false (and keeps the old contents) when the allocation fails.
  bool allocate(size_t n) {
    if (n > (size_t(-1) - kAlignment) / sizeof(T)) return false;
    const size_t bytes = (n * sizeof(T) + kAlignment - 1) / kAlignment * kAlignment;
    void* p = std::aligned_alloc(kAlignment, bytes == 0 ? kAlignment : bytes);
    if (p == nullptr) return false;
    std::free(data_);
    data_ = static_cast<T*>(p);
    size_ = n;
    return true;
  }
  T* data() { return data_; }
  const T* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  T* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace hawc
