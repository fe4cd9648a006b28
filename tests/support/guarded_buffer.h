// Test memory with an inaccessible page right after (or before) the data:
// a kernel that reads or writes past its buffer faults.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>

namespace hawc_test {

template <typename T>
class GuardedBuffer {
 public:
  GuardedBuffer(size_t n, bool guard_after) : n_(n) {
    page_ = size_t(sysconf(_SC_PAGESIZE));
    data_bytes_ = (std::max<size_t>(n, 1) * sizeof(T) + page_ - 1) / page_ * page_;
    base_ = static_cast<unsigned char*>(mmap(nullptr, data_bytes_ + 2 * page_, PROT_READ | PROT_WRITE,
                                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (base_ == MAP_FAILED) std::abort();
    mprotect(base_, page_, PROT_NONE);
    mprotect(base_ + page_ + data_bytes_, page_, PROT_NONE);
    data_ = reinterpret_cast<T*>(guard_after ? base_ + page_ + data_bytes_ - n * sizeof(T) : base_ + page_);
  }
  GuardedBuffer(const GuardedBuffer&) = delete;
  GuardedBuffer& operator=(const GuardedBuffer&) = delete;
  ~GuardedBuffer() { munmap(base_, data_bytes_ + 2 * page_); }
  T* data() { return data_; }
  T& operator[](size_t i) { return data_[i]; }
  size_t size() const { return n_; }

 private:
  size_t n_, page_, data_bytes_;
  unsigned char* base_;
  T* data_;
};

}  // namespace hawc_test
