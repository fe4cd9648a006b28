// A small inference "engine" around hawc: a VGG-style block of three 3x3
// convolutions with ReLU (3 -> 16 -> 16 -> 32 channels on 32x32 images),
// tensors in NCHW8C (ncnn's fp16 pack8) from layer to layer, the engine's own
// thread pool plugged into hawc_run_options.parallel_for, and one workspace
// the engine allocates and hands to every layer (hawc_conv2d_workspace_size).
// The block's output is checked against the same three layers chained in FP32.
//
// Build: c++ -std=c++17 vgg_block_engine.cpp $(pkg-config --cflags --libs hawc) -pthread
#include <hawc/hawc.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

// ---- FP16 <-> float (IEEE binary16, round to nearest even) -------------------
float half_to_float(uint16_t h) {
  const int e = (h >> 10) & 0x1f, m = h & 0x3ff;
  float v = e == 0x1f ? (m ? NAN : INFINITY)
            : e == 0  ? std::ldexp(float(m), -24)
                      : std::ldexp(float(m | 0x400), e - 25);
  return (h & 0x8000) ? -v : v;
}
uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint16_t sign = uint16_t((x >> 16) & 0x8000);
  const uint32_t a = x & 0x7fffffff;
  if (a >= 0x7f800000) return uint16_t(sign | 0x7c00 | (a > 0x7f800000 ? 0x200 : 0));
  if (a >= 0x477ff000) return uint16_t(sign | 0x7c00);  // rounds to >= 65520
  if (a < 0x38800000) {                                 // subnormal half
    const float scaled = std::ldexp(std::fabs(f), 24);
    return uint16_t(sign | uint16_t(std::nearbyint(scaled)));
  }
  uint32_t r = a - 0x38000000, rem = r & 0x1fff;
  r >>= 13;
  if (rem > 0x1000 || (rem == 0x1000 && (r & 1))) ++r;
  return uint16_t(sign | r);
}

[[noreturn]] void die(const char* what, hawc_status s) {
  std::fprintf(stderr, "%s: %s: %s\n", what, hawc_status_string(s), hawc_last_error_message());
  std::exit(1);
}

// ---- The engine's thread pool --------------------------------------------------
// Fixed workers; parallel_for(n) gives worker w the tasks w, w + W, w + 2W, ...
// (hawc's tasks are evenly sized: a static split is what fits) and returns
// when all are done. hawc starts no thread of its own when this is plugged in.
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
  int size() const { return int(threads_.size()); }
  // hawc_parallel_for_fn
  static void parallel_for(void* pool, int32_t n, hawc_task_fn task, void* context) {
    static_cast<ThreadPool*>(pool)->run(n, task, context);
  }

 private:
  void run(int32_t n, hawc_task_fn task, void* context) {
    std::unique_lock<std::mutex> lock(mutex_);
    n_ = n, task_ = task, context_ = context, pending_ = size(), ++generation_;
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
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  bool stop_ = false;
  long generation_ = 0;
  int32_t n_ = 0;
  hawc_task_fn task_ = nullptr;
  void* context_ = nullptr;
  int pending_ = 0;
};

// ---- NCHW8C tensors --------------------------------------------------------------
// [N][ceil(C/8)][H][W][8]: lanes past C in the last block are ignored on input
// and written as +0 by hawc.
size_t nchw8c_elements(int n, int c, int h, int w) { return size_t(n) * ((c + 7) / 8) * 8 * h * w; }
size_t nchw8c_index(int c_total, int h, int w, int n, int c, int y, int x) {
  return (((size_t(n) * ((c_total + 7) / 8) + c / 8) * h + y) * w + x) * 8 + c % 8;
}

// ---- The engine ---------------------------------------------------------------------
struct Layer {
  int in_channels, out_channels;
  hawc_conv2d* conv = nullptr;
};

class VggBlockEngine {
 public:
  explicit VggBlockEngine(int threads) : pool_(threads) {}
  ~VggBlockEngine() {
    for (Layer& l : layers_) hawc_conv2d_destroy(l.conv);  // NULL-safe
  }

  // weights: OIHW FP16, bias: out_channels FP16; both may be freed afterwards.
  void add_conv_relu(int in_channels, int out_channels, const std::vector<uint16_t>& weights,
                     const std::vector<uint16_t>& bias) {
    hawc_conv2d_params p;
    hawc_conv2d_params_init(&p);  // 3x3, stride 1, padding 1
    p.in_channels = in_channels;
    p.out_channels = out_channels;
    p.layout = HAWC_LAYOUT_NCHW8C;
    p.activation = HAWC_ACTIVATION_RELU;  // fused into the output transform
    Layer l{in_channels, out_channels};
    if (hawc_status s = hawc_conv2d_create(&p, weights.data(), bias.data(), &l.conv))
      die("create", s);
    layers_.push_back(l);
  }

  // Sizes the activations and the one workspace every layer shares (layers
  // run one after the other, so one workspace is enough). Call again when the
  // batch or image size changes; runs then allocate nothing.
  void prepare(int batch, int h, int w) {
    batch_ = batch, h_ = h, w_ = w;
    size_t workspace = 0, activation = 0;
    for (const Layer& l : layers_) {
      size_t bytes = 0;
      const hawc_run_options o = options(nullptr, 0);
      if (hawc_status s = hawc_conv2d_workspace_size(l.conv, batch, h, w, &o, &bytes))
        die("workspace_size", s);
      workspace = std::max(workspace, bytes);
      activation = std::max(activation, nchw8c_elements(batch, l.out_channels, h, w));
    }
    workspace_.assign(workspace, 0);
    for (std::vector<uint16_t>& a : activations_) a.assign(activation, 0);
    std::printf("engine: %zu layers, %d pool threads, one %zu-byte workspace for all layers\n",
                layers_.size(), pool_.size(), workspace);
  }

  // input: NCHW8C FP16 of the first layer's channels; returns the last
  // layer's NCHW8C output (valid until the next run).
  const std::vector<uint16_t>& run(const std::vector<uint16_t>& input) {
    const uint16_t* in = input.data();
    for (size_t i = 0; i < layers_.size(); ++i) {
      std::vector<uint16_t>& out = activations_[i % 2];
      const hawc_run_options o = options(workspace_.data(), workspace_.size());
      // Padding 1: the spatial size stays h x w from layer to layer.
      if (hawc_status s = hawc_conv2d_run(layers_[i].conv, batch_, h_, w_, in, out.data(), &o))
        die("run", s);
      in = out.data();
    }
    return activations_[(layers_.size() - 1) % 2];
  }

  const Layer& layer(size_t i) const { return layers_[i]; }

 private:
  hawc_run_options options(void* workspace, size_t bytes) {
    hawc_run_options o;
    hawc_run_options_init(&o);  // always start from the defaults
    o.num_threads = pool_.size();
    o.parallel_for = &ThreadPool::parallel_for;
    o.parallel_context = &pool_;
    o.workspace = workspace;
    o.workspace_size = bytes;
    return o;
  }

  ThreadPool pool_;
  std::vector<Layer> layers_;
  std::vector<unsigned char> workspace_;
  std::vector<uint16_t> activations_[2];
  int batch_ = 0, h_ = 0, w_ = 0;
};

// ---- FP32 reference: the same layers chained in float, no rounding between -------
std::vector<float> conv_relu_fp32(const std::vector<float>& in, int n, int c, int k, int h, int w,
                                  const std::vector<uint16_t>& weights,
                                  const std::vector<uint16_t>& bias) {
  std::vector<float> out(size_t(n) * k * h * w);
  for (int b = 0; b < n; ++b)
    for (int o = 0; o < k; ++o)
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
          double acc = half_to_float(bias[o]);
          for (int ci = 0; ci < c; ++ci)
            for (int i = 0; i < 3; ++i)
              for (int j = 0; j < 3; ++j) {
                const int iy = y + i - 1, ix = x + j - 1;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                acc += double(in[((size_t(b) * c + ci) * h + iy) * w + ix]) *
                       half_to_float(weights[((size_t(o) * c + ci) * 3 + i) * 3 + j]);
              }
          out[((size_t(b) * k + o) * h + y) * w + x] = float(std::max(acc, 0.0));
        }
  return out;
}

// Deterministic N(0, 1) values (Box-Muller on an LCG).
struct Normal {
  unsigned long long s = 2024;
  double uniform() {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return (double((s >> 11) & ((1ull << 53) - 1)) + 0.5) / double(1ull << 53);
  }
  float operator()() {
    return float(std::sqrt(-2 * std::log(uniform())) * std::cos(6.283185307179586 * uniform()));
  }
};

// hawc's documented accuracy per layer, max |error| / max |output| (README,
// Accuracy; tests/support/error_bounds.h): FP32 arithmetic (portable) 1e-3;
// NEON FP16 F(2x2) 4e-3, F(4x4) 1e-2, F(6x6) 6e-2.
double layer_bound(const hawc_conv2d* conv) {
  if (std::strcmp(hawc_conv2d_implementation(conv), "neon_fp16") != 0) return 1e-3;
  switch (hawc_conv2d_algorithm(conv)) {
    case HAWC_ALGORITHM_WINOGRAD_F2X3:
      return 4e-3;
    case HAWC_ALGORITHM_WINOGRAD_F4X3:
      return 1e-2;
    default:
      return 6e-2;
  }
}

}  // namespace

int main() {
  const int batch = 2, h = 32, w = 32;
  const int channels[] = {3, 16, 16, 32};
  const int layers = 3;
  const int threads = 4;

  Normal normal;
  std::vector<std::vector<uint16_t>> weights(layers), biases(layers);
  VggBlockEngine engine(threads);
  for (int l = 0; l < layers; ++l) {
    const int c = channels[l], k = channels[l + 1];
    const float he = std::sqrt(2.0f / float(9 * c));  // keeps the activations' scale
    for (int i = 0; i < k * c * 9; ++i) weights[l].push_back(float_to_half(he * normal()));
    for (int i = 0; i < k; ++i) biases[l].push_back(float_to_half(0.1f * normal()));
    engine.add_conv_relu(c, k, weights[l], biases[l]);
  }
  engine.prepare(batch, h, w);

  // Input image: NCHW floats rounded to FP16, packed to NCHW8C.
  std::vector<float> x(size_t(batch) * channels[0] * h * w);
  std::vector<uint16_t> input(nchw8c_elements(batch, channels[0], h, w), 0);
  for (int b = 0; b < batch; ++b)
    for (int c = 0; c < channels[0]; ++c)
      for (int y = 0; y < h; ++y)
        for (int xx = 0; xx < w; ++xx) {
          const uint16_t v = float_to_half(normal());
          x[((size_t(b) * channels[0] + c) * h + y) * w + xx] = half_to_float(v);
          input[nchw8c_index(channels[0], h, w, b, c, y, xx)] = v;
        }

  const std::vector<uint16_t> first = engine.run(input);
  const std::vector<uint16_t>& out = engine.run(input);  // again: no allocation, same bits
  const bool same = first == out;

  // Chained FP32 reference.
  std::vector<float> ref = x;
  for (int l = 0; l < layers; ++l)
    ref = conv_relu_fp32(ref, batch, channels[l], channels[l + 1], h, w, weights[l], biases[l]);

  // Tolerance from the per-layer bounds e_l: each layer's error enters the
  // next as a perturbation of its input; a He-scaled layer passes its input's
  // scale on unchanged (gain ~1) and ReLU is 1-Lipschitz, so relative errors
  // add up: sum e_l, with a factor 2 for the gain's spread around 1.
  double tolerance = 0;
  for (int l = 0; l < layers; ++l) {
    const double e = layer_bound(engine.layer(l).conv);
    std::printf("layer %d: %2d -> %2d channels, %s, %s, bound %.0e\n", l + 1, channels[l],
                channels[l + 1], hawc_conv2d_implementation(engine.layer(l).conv),
                hawc_conv2d_algorithm(engine.layer(l).conv) == HAWC_ALGORITHM_WINOGRAD_F2X3
                    ? "F(2x2,3x3)"
                : hawc_conv2d_algorithm(engine.layer(l).conv) == HAWC_ALGORITHM_WINOGRAD_F4X3
                    ? "F(4x4,3x3)"
                    : "F(6x6,3x3)",
                e);
    tolerance += e;
  }
  tolerance *= 2;

  const int k = channels[layers];
  double max_ref = 0, max_err = 0;
  bool lanes_zero = true;
  for (int b = 0; b < batch; ++b)
    for (int c = 0; c < (k + 7) / 8 * 8; ++c)
      for (int y = 0; y < h; ++y)
        for (int xx = 0; xx < w; ++xx) {
          const uint16_t v = out[nchw8c_index(k, h, w, b, c, y, xx)];
          if (c >= k) {
            lanes_zero &= v == 0;
            continue;
          }
          const double r = ref[((size_t(b) * k + c) * h + y) * w + xx];
          const double got = half_to_float(v);
          max_ref = std::max(max_ref, std::fabs(r));
          max_err = std::isfinite(got) ? std::max(max_err, std::fabs(got - r)) : INFINITY;
        }
  const double rel = max_err / max_ref;
  const bool ok = rel <= tolerance && lanes_zero && same;
  std::printf(
      "block output N%d x %d x %dx%d: max |error| / max |ref| = %.3e (tolerance %.1e)%s%s: %s\n",
      batch, k, h, w, rel, tolerance, lanes_zero ? "" : ", padding lanes not +0",
      same ? "" : ", second run differs", ok ? "ok" : "WRONG");
  return ok ? 0 : 1;
}
