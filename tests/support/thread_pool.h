// A minimal engine-style thread pool for hawc_run_options.parallel_for, shared
// by the threading, property and fuzz tests: fixed workers, each
// parallel_for splits [0, n) statically over them and waits. Concurrent
// parallel_for calls (several threads running hawc at once) are serialised.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "hawc/hawc.h"

namespace hawc_test {

class ThreadPool {
 public:
  explicit ThreadPool(int workers) {
    for (int w = 0; w < workers; ++w) threads_.emplace_back([this, w] { work(w); });
  }
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : threads_) t.join();
  }
  static void parallel_for(void* pool, int32_t n, hawc_task_fn task, void* context) {
    static_cast<ThreadPool*>(pool)->run(n, task, context);
  }
  int calls() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }

 private:
  void run(int32_t n, hawc_task_fn task, void* context) {
    std::lock_guard<std::mutex> serial(run_mutex_);  // one parallel_for at a time
    std::unique_lock<std::mutex> lock(mutex_);
    ++calls_;
    n_ = n, task_ = task, context_ = context, pending_ = int(threads_.size()), ++generation_;
    wake_.notify_all();
    done_.wait(lock, [this] { return pending_ == 0; });
  }
  void work(int w) {
    long seen = 0;
    for (;;) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      const int32_t n = n_, workers = int32_t(threads_.size());
      hawc_task_fn task = task_;
      void* context = context_;
      lock.unlock();
      for (int32_t i = w; i < n; i += workers) task(context, i);
      lock.lock();
      if (--pending_ == 0) done_.notify_all();
    }
  }
  std::vector<std::thread> threads_;
  mutable std::mutex mutex_;
  std::mutex run_mutex_;
  std::condition_variable wake_, done_;
  bool stop_ = false;
  long generation_ = 0;
  int32_t n_ = 0;
  hawc_task_fn task_ = nullptr;
  void* context_ = nullptr;
  int pending_ = 0, calls_ = 0;
};

}  // namespace hawc_test
