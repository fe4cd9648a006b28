// The C API: argument validation, create (filter transform and packing),
// run (validation, then the pipeline driver), destroy.
#include <algorithm>
#include <climits>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <new>

#include "hawc/hawc.h"
#include "src/conv2d.h"
#include "src/cpu_features.h"
#include "src/fp16.h"
#include "src/parallel.h"
#include "src/range_scaling.h"
#include "src/status.h"
#include "src/winograd_conv.h"

namespace hawc {
namespace {

// Largest buffer (bytes) hawc indexes: keeps every pointer difference valid.
constexpr size_t kMaxBytes = size_t(PTRDIFF_MAX);
// Implemented shapes (hawc.h, hawc_conv2d_params).
constexpr int32_t kMaxKernel = 7, kMaxStride = 2, kMaxDilation = 8;
// Largest input side: a patch (a Winograd tile's kMaxAlpha pixels, a Gemm
// tile's extent of (kMaxKernel - 1) * kMaxDilation + 1) past the last row or
// column, plus padding, still fits in int.
constexpr int32_t kMaxImageSide = INT32_MAX - 256;
static_assert(4 * kMaxAlpha <= 256 && 3 * ((kMaxKernel - 1) * kMaxDilation + 1) <= 256,
              "kMaxImageSide leaves room for a patch and its padding");

bool valid_layout(int v) { return v >= HAWC_LAYOUT_NCHW && v <= HAWC_LAYOUT_NCHW8C; }
bool valid_activation(int v) { return v >= HAWC_ACTIVATION_NONE && v <= HAWC_ACTIVATION_RELU6; }
bool valid_precision(int v) { return v == HAWC_PRECISION_HIGH || v == HAWC_PRECISION_FAST; }
bool valid_algorithm(int v) {
  return v >= HAWC_ALGORITHM_AUTO && v <= HAWC_ALGORITHM_GEMM;
}

// The kernel's extent along one axis: (kernel - 1) * dilation + 1.
int64_t extent(int32_t kernel, int32_t dilation) { return int64_t(kernel - 1) * dilation + 1; }

// The shapes Winograd F(m x m, 3 x 3) runs.
bool winograd_shape(const hawc_conv2d_params& p) {
  return p.kernel_h == 3 && p.kernel_w == 3 && p.stride_h == 1 && p.stride_w == 1 &&
         p.dilation_h == 1 && p.dilation_w == 1 && p.groups == 1;
}

hawc_status validate_params(const hawc_conv2d_params& p) {
  if (p.in_channels < 1 || p.out_channels < 1)
    return fail(HAWC_STATUS_INVALID_PARAMETER, "channel counts must be >= 1 (got in %d, out %d)",
                p.in_channels, p.out_channels);
  if (p.kernel_h < 1 || p.kernel_w < 1)
    return fail(HAWC_STATUS_INVALID_PARAMETER, "kernel size must be >= 1 (got %dx%d)", p.kernel_h,
                p.kernel_w);
  if (p.stride_h < 1 || p.stride_w < 1)
    return fail(HAWC_STATUS_INVALID_PARAMETER, "stride must be >= 1 (got %dx%d)", p.stride_h,
                p.stride_w);
  if (p.dilation_h < 1 || p.dilation_w < 1)
    return fail(HAWC_STATUS_INVALID_PARAMETER, "dilation must be >= 1 (got %dx%d)", p.dilation_h,
                p.dilation_w);
  if (p.groups < 1)
    return fail(HAWC_STATUS_INVALID_PARAMETER, "groups must be >= 1 (got %d)", p.groups);
  if (p.pad_top < 0 || p.pad_bottom < 0 || p.pad_left < 0 || p.pad_right < 0)
    return fail(HAWC_STATUS_INVALID_PARAMETER, "padding must be >= 0 (got t%d l%d b%d r%d)",
                p.pad_top, p.pad_left, p.pad_bottom, p.pad_right);
  if (p.in_channels % p.groups != 0 || p.out_channels % p.groups != 0)
    return fail(HAWC_STATUS_INVALID_PARAMETER,
                "groups (%d) must divide the channel counts (in %d, out %d)", p.groups,
                p.in_channels, p.out_channels);
  if (!valid_layout(raw_enum(p.layout)))
    return fail(HAWC_STATUS_INVALID_PARAMETER, "unknown layout %d", raw_enum(p.layout));
  if (!valid_activation(raw_enum(p.activation)))
    return fail(HAWC_STATUS_INVALID_PARAMETER, "unknown activation %d", raw_enum(p.activation));
  if (!valid_algorithm(raw_enum(p.algorithm)))
    return fail(HAWC_STATUS_INVALID_PARAMETER, "unknown algorithm %d", raw_enum(p.algorithm));
  if (!valid_precision(raw_enum(p.precision)))
    return fail(HAWC_STATUS_INVALID_PARAMETER, "unknown precision %d", raw_enum(p.precision));
  if (p.kernel_h > kMaxKernel || p.kernel_w > kMaxKernel)
    return fail(HAWC_STATUS_UNSUPPORTED_PARAMETER,
                "kernels up to %dx%d are implemented (got %dx%d)", kMaxKernel, kMaxKernel,
                p.kernel_h, p.kernel_w);
  if (p.stride_h > kMaxStride || p.stride_w > kMaxStride)
    return fail(HAWC_STATUS_UNSUPPORTED_PARAMETER,
                "strides up to %d are implemented (got %dx%d)", kMaxStride, p.stride_h,
                p.stride_w);
  if (p.dilation_h > kMaxDilation || p.dilation_w > kMaxDilation)
    return fail(HAWC_STATUS_UNSUPPORTED_PARAMETER,
                "dilations up to %d are implemented (got %dx%d)", kMaxDilation, p.dilation_h,
                p.dilation_w);
  if (p.pad_top >= extent(p.kernel_h, p.dilation_h) ||
      p.pad_bottom >= extent(p.kernel_h, p.dilation_h) ||
      p.pad_left >= extent(p.kernel_w, p.dilation_w) ||
      p.pad_right >= extent(p.kernel_w, p.dilation_w))
    return fail(HAWC_STATUS_UNSUPPORTED_PARAMETER,
                "padding at or beyond the kernel's extent is not implemented (got t%d l%d b%d "
                "r%d for a %lldx%lld extent)",
                p.pad_top, p.pad_left, p.pad_bottom, p.pad_right,
                (long long)extent(p.kernel_h, p.dilation_h),
                (long long)extent(p.kernel_w, p.dilation_w));
  if (p.groups > 1 && p.in_channels == p.groups)
    return fail(HAWC_STATUS_UNSUPPORTED_PARAMETER,
                "depthwise convolution (groups = in_channels = %d) is not implemented: one input "
                "channel per group is not a GEMM workload",
                p.groups);
  if (raw_enum(p.algorithm) != HAWC_ALGORITHM_AUTO && raw_enum(p.algorithm) != HAWC_ALGORITHM_GEMM &&
      !winograd_shape(p))
    return fail(HAWC_STATUS_UNSUPPORTED_PARAMETER,
                "Winograd F(m x m, 3 x 3) runs 3x3 kernels at stride 1 and dilation 1 in one group "
                "only (got %dx%d, stride %dx%d, dilation %dx%d, groups %d): use AUTO or GEMM",
                p.kernel_h, p.kernel_w, p.stride_h, p.stride_w, p.dilation_h, p.dilation_w,
                p.groups);
  const size_t cp = round_up(size_t(p.in_channels), 8), kp = round_up(size_t(p.out_channels), 8);
  const size_t taps = size_t(p.kernel_h) * size_t(p.kernel_w);
  const bool gemm = !winograd_shape(p) || raw_enum(p.algorithm) == HAWC_ALGORITHM_GEMM;
  if (mul_sat({size_t(p.in_channels), size_t(p.out_channels), taps, 2}) > kMaxBytes ||
      mul_sat({cp, kp, kMaxPoints, 2}) > kMaxBytes ||
      (gemm && mul_sat({cp, taps}) > size_t(INT_MAX / 2)))  // the GEMM's V row is indexed by int
    return fail(HAWC_STATUS_INVALID_PARAMETER,
                "%d x %d channels: weight buffers exceed the addressable size", p.in_channels,
                p.out_channels);
  return HAWC_STATUS_SUCCESS;
}

// A 3x3 stride-1 layer over an RGB-like input runs fewer instructions on the
// FP16 GEMM (taps' channels back to back, one vector copy per tap) than on
// Winograd, whose transforms and FP32-sum GEMM cost the same per tile however
// few channels there are: vgg16.conv1_1 27.7M against F(4x4)'s 40.5M (XNNPACK
// f16 36.5M), yolov3.stem 60.5M against 78.8M (bench/RESULTS_networks.md).
// Measured at C = 3; NCHW gathers C = 3 with one interleaving store per
// kernel row, other small C element by element, so NCHW keeps Winograd there.
bool gemm_beats_winograd(const hawc_conv2d_params& p, bool fp16_kernels) {
  return fp16_kernels && p.in_channels <= 4 &&
         (p.layout != HAWC_LAYOUT_NCHW || p.in_channels == 3);
}

Variant variant_of(const hawc_conv2d_params& p, Precision precision, bool fp16_kernels) {
  switch (p.algorithm) {
    case HAWC_ALGORITHM_WINOGRAD_F2X3:
      return Variant::F2x3;
    case HAWC_ALGORITHM_WINOGRAD_F4X3:
      return Variant::F4x3;
    case HAWC_ALGORITHM_WINOGRAD_F6X3:
      return Variant::F6x3;
    case HAWC_ALGORITHM_GEMM:
      return Variant::Gemm;
    default:
      if (!winograd_shape(p) || gemm_beats_winograd(p, fp16_kernels)) return Variant::Gemm;
      return auto_variant(p.in_channels, p.out_channels, precision, fp16_kernels);
  }
}

// The object's geometry (src/conv2d_types.h): the Gemm V row keeps whole
// 8-channel blocks per tap (vector copies in the gather) unless that pads
// too much: for few channels (C % 8 != 0, C < kDenseTapsBelowChannels) the
// taps' channels lie back to back.
constexpr int kDenseTapsBelowChannels = 32;
ConvGeometry geometry_of(const hawc_conv2d_params& p, Variant v) {
  ConvGeometry g;
  if (v != Variant::Gemm) return g;
  g.kernel_h = p.kernel_h, g.kernel_w = p.kernel_w;
  g.stride_h = p.stride_h, g.stride_w = p.stride_w;
  g.dilation_h = p.dilation_h, g.dilation_w = p.dilation_w;
  const int channels = p.in_channels / p.groups;  // of one group
  const bool dense = channels % 8 != 0 && channels < kDenseTapsBelowChannels;
  g.tap_channels = dense ? channels : int(round_up(channels, 8));
  return g;
}

// Whether [a, a + a_bytes) and [b, b + b_bytes) share a byte. No end
// address is formed: ptr + size may wrap (a workspace_size of SIZE_MAX once
// let an overlapping workspace through).
bool overlaps(const void* a, size_t a_bytes, const void* b, size_t b_bytes) {
  const uintptr_t x = reinterpret_cast<uintptr_t>(a), y = reinterpret_cast<uintptr_t>(b);
  if (a_bytes == 0 || b_bytes == 0) return false;
  return x <= y ? y - x < a_bytes : x - y < b_bytes;
}

// The header asks for 2-byte aligned FP16 tensors; the kernels load them as
// such (an odd pointer was a misaligned access in the portable transforms).
bool misaligned(const void* p) { return reinterpret_cast<uintptr_t>(p) % alignof(hawc_fp16) != 0; }

// HIGH on FP16 kernels: F(4x4) up to this many input channels (and from 64).
constexpr int kHighF4x3UpToChannels = 8;

}  // namespace

Variant auto_variant(int in_channels, int out_channels, Precision precision, bool fp16_kernels) {
  // FP16 kernels (README, Accuracy; bench/RESULTS_ncnn.md, "hawc vs ncnn"):
  // F(6x6) measures 3-11e-2, over both levels' bounds, so never.
  // HIGH: F(4x4) from 64 input channels (FP16 chains of 16 channels summed in
  // FP32: 5.9-9.4e-3 on the suite layers). Below, F(4x4) needs its FP32-sum
  // GEMM (FP16 sums of so few channels took random layers to 1.1e-2), which
  // executes more than F(2x2)'s extra multiplications cost from C = 16 on
  // (squeezenet.fire, C = 16: 4.35M against 3.52M instructions) but less at
  // C = 3 (vgg16.conv1_1: 41.1M against 44.3M): F(4x4) up to 8 channels.
  // FAST: F(4x4) everywhere with FP16 transforms; from 64 input channels
  // with FP16 chains of 32 (1.0-1.4e-2 worst on the suite layers), below with
  // chains of 16 (1.56-1.78e-2 on random layers): fewest instructions of the
  // variants within 2e-2.
  // FP32 kernels are accurate with any variant, so F(6x6) where the GEMM
  // dominates: fewest multiplications.
  if (fp16_kernels) {
    if (precision == Precision::Fast) return Variant::F4x3;
    return in_channels <= kHighF4x3UpToChannels || in_channels >= 64 ? Variant::F4x3
                                                                      : Variant::F2x3;
  }
  if (in_channels >= 16 && out_channels >= 16) return Variant::F6x3;
  return Variant::F4x3;
}

hawc_status create_conv2d(const hawc_conv2d_params* p, const hawc_fp16* weights,
                          const hawc_fp16* bias, Implementation impl, hawc_conv2d** out) {
  clear_error();
  if (out == nullptr) return fail(HAWC_STATUS_INVALID_PARAMETER, "hawc_conv2d_create: out is NULL");
  *out = nullptr;
  if (p == nullptr)
    return fail(HAWC_STATUS_INVALID_PARAMETER, "hawc_conv2d_create: params is NULL");
  if (weights == nullptr)
    return fail(HAWC_STATUS_INVALID_PARAMETER, "hawc_conv2d_create: weights is NULL");
  if (misaligned(weights) || misaligned(bias))
    return fail(HAWC_STATUS_INVALID_PARAMETER,
                "hawc_conv2d_create: weights and bias must be 2-byte aligned FP16 arrays");
  if (hawc_status s = validate_params(*p)) return s;

  const bool has_neon = neon_fp16_kernels_built() && cpu_features().fp16_arith;
  if (impl == Implementation::NeonFp16 && !has_neon)
    return fail(HAWC_STATUS_UNSUPPORTED_PARAMETER,
                "NEON FP16 kernels are not available (build or CPU lacks FP16 arithmetic)");
  const bool use_neon = impl != Implementation::Portable && has_neon;
  const Precision precision = static_cast<Precision>(p->precision);
  const Variant variant = variant_of(*p, precision, use_neon);
  const ConvGeometry geometry = geometry_of(*p, variant);
  // The kernels' choice of chain length depends on the GEMM's reduction.
  const int reduction = variant == Variant::Gemm ? gemm_reduction(geometry) : p->in_channels;
  const WinogradKernels* kernels =
      use_neon ? neon_fp16_winograd_kernels(variant, reduction, precision, cpu_features().fp16_fml)
               : &portable_winograd_kernels(variant);

  hawc_conv2d* c = new (std::nothrow) hawc_conv2d();
  if (c == nullptr) return fail(HAWC_STATUS_OUT_OF_MEMORY, "hawc_conv2d_create: out of memory");
  c->params = *p;
  c->variant = variant;
  c->kernels = kernels;
  c->geometry = geometry;
  c->groups = p->groups;
  const int group_in = p->in_channels / p->groups, group_out = p->out_channels / p->groups;
  c->channels_padded = variant == Variant::Gemm ? gemm_reduction(geometry)
                                                : int(round_up(group_in, 8));
  c->out_channels_padded = int(round_up(group_out, 8));
  const size_t kp = size_t(c->out_channels_padded), groups = size_t(p->groups);
  const size_t group_u = size_t(variant_points(variant)) * c->channels_padded * kp;
  const size_t u_elements = groups * group_u;
  if (!c->u_f32.allocate(u_elements) || !c->bias_f32.allocate(groups * kp) ||
      !c->bias_f16.allocate(groups * kp) ||
      (kernels->u_element_size == 2 && !c->u_f16.allocate(u_elements))) {
    delete c;
    return fail(HAWC_STATUS_OUT_OF_MEMORY,
                "hawc_conv2d_create: out of memory for the packed weights");
  }
  const size_t group_weights = size_t(group_out) * group_in * p->kernel_h * p->kernel_w;
  for (size_t g = 0; g < groups; ++g) {
    if (variant == Variant::Gemm)
      gemm_filter_pack(c->geometry, weights + g * group_weights, group_in, group_out,
                       c->u_f32.data() + g * group_u);
    else
      winograd_filter_transform(variant, weights + g * group_weights, group_in, group_out,
                                c->u_f32.data() + g * group_u);
  }
  float u_max = 0;  // infinite when a weight is not finite: no filter scaling then
  for (size_t i = 0; i < u_elements; ++i) {
    const float m = std::fabs(c->u_f32.data()[i]);
    u_max = m <= FLT_MAX ? std::max(u_max, m) : INFINITY;  // NaN or Inf: no scaling
  }
  if (kernels->u_element_size == 2) {  // FP16 U: scale into FP16's window, round once
    c->filter_exponent = filter_scale_exponent(u_max);
    const float scale = pow2f(c->filter_exponent);
    for (size_t i = 0; i < u_elements; ++i)
      c->u_f16.data()[i] = fp32_to_fp16(c->u_f32.data()[i] * scale);
    c->u_f32 = AlignedBuffer<float>();
  }
  c->scaled_u_max = u_max * pow2f(c->filter_exponent);
  for (size_t g = 0; g < groups; ++g)
    for (size_t k = 0; k < kp; ++k) {
      const uint16_t b = bias != nullptr && k < size_t(group_out) ? bias[g * group_out + k] : 0;
      c->bias_f16.data()[g * kp + k] = b;
      c->bias_f32.data()[g * kp + k] = fp16_to_fp32(b);
    }
  *out = c;
  return HAWC_STATUS_SUCCESS;
}

}  // namespace hawc

using namespace hawc;

extern "C" {

void hawc_conv2d_params_init(hawc_conv2d_params* p) {
  if (p == nullptr) return;
  *p = hawc_conv2d_params{};
  p->in_channels = p->out_channels = 1;
  p->kernel_h = p->kernel_w = 3;
  p->stride_h = p->stride_w = 1;
  p->pad_top = p->pad_left = p->pad_bottom = p->pad_right = 1;
  p->groups = 1;
  p->dilation_h = p->dilation_w = 1;
  p->layout = HAWC_LAYOUT_NCHW;
  p->activation = HAWC_ACTIVATION_NONE;
  p->algorithm = HAWC_ALGORITHM_AUTO;
  p->precision = HAWC_PRECISION_HIGH;
}

void hawc_run_options_init(hawc_run_options* o) {
  if (o == nullptr) return;
  *o = hawc_run_options{};
  o->num_threads = 0;
}

hawc_status hawc_conv2d_create(const hawc_conv2d_params* p, const hawc_fp16* weights,
                               const hawc_fp16* bias, hawc_conv2d** out) {
  return create_conv2d(p, weights, bias, Implementation::Auto, out);
}

hawc_status hawc_conv2d_output_shape(const hawc_conv2d* c, int32_t in_h, int32_t in_w,
                                     int32_t* out_h, int32_t* out_w) {
  clear_error();
  if (c == nullptr || out_h == nullptr || out_w == nullptr)
    return fail(HAWC_STATUS_INVALID_PARAMETER, "hawc_conv2d_output_shape: NULL argument");
  if (in_h < 1 || in_w < 1)
    return fail(HAWC_STATUS_INVALID_PARAMETER, "input size must be >= 1 (got %dx%d)", in_h, in_w);
  // The tile loops index rows and columns with int, up to a tile's patch
  // past the image's end: safe by construction below this side.
  if (in_h > kMaxImageSide || in_w > kMaxImageSide)
    return fail(HAWC_STATUS_INVALID_PARAMETER,
                "input %dx%d: sides above %d pixels are not supported", in_h, in_w,
                kMaxImageSide);
  const hawc_conv2d_params& p = c->params;
  const int64_t span_h = int64_t(in_h) + p.pad_top + p.pad_bottom - extent(p.kernel_h, p.dilation_h);
  const int64_t span_w = int64_t(in_w) + p.pad_left + p.pad_right - extent(p.kernel_w, p.dilation_w);
  if (span_h < 0 || span_w < 0)
    return fail(HAWC_STATUS_INVALID_PARAMETER,
                "input %dx%d with this padding is smaller than the kernel's extent: empty output",
                in_h, in_w);
  *out_h = int32_t(span_h / p.stride_h + 1);
  *out_w = int32_t(span_w / p.stride_w + 1);
  return HAWC_STATUS_SUCCESS;
}

}  // extern "C"

namespace hawc {
namespace {

// A validated run: shape, tensor sizes and thread count.
struct CheckedRun {
  RunShape shape;
  size_t in_bytes, out_bytes;
  int threads;
};

hawc_status check_run(const hawc_conv2d* c, int32_t batch, int32_t in_h, int32_t in_w,
                      const hawc_run_options* o, CheckedRun* r) {
  if (batch < 1) return fail(HAWC_STATUS_INVALID_PARAMETER, "batch must be >= 1 (got %d)", batch);
  if (o->num_threads < 0)
    return fail(HAWC_STATUS_INVALID_PARAMETER, "num_threads must be >= 0 (got %d)", o->num_threads);
  r->shape = RunShape{batch, in_h, in_w, 0, 0};
  if (hawc_status st = hawc_conv2d_output_shape(c, in_h, in_w, &r->shape.out_h, &r->shape.out_w))
    return st;
  const hawc_conv2d_params& p = c->params;
  const Layout layout = static_cast<Layout>(p.layout);
  const int m = variant_m(c->variant);
  const size_t in_c = layout == Layout::NCHW8C ? round_up(p.in_channels, 8) : p.in_channels;
  const size_t out_c = layout == Layout::NCHW8C ? round_up(p.out_channels, 8) : p.out_channels;
  r->in_bytes = mul_sat({size_t(batch), in_c, size_t(in_h), size_t(in_w), 2});
  r->out_bytes = mul_sat({size_t(batch), out_c, size_t(r->shape.out_h), size_t(r->shape.out_w), 2});
  const size_t tiles = mul_sat({div_up(r->shape.out_h, m), div_up(r->shape.out_w, m)});
  if (r->in_bytes > kMaxBytes || r->out_bytes > kMaxBytes || tiles > size_t(INT_MAX))
    return fail(HAWC_STATUS_INVALID_PARAMETER,
                "batch %d of %dx%d images: tensors exceed the addressable size", batch, in_h, in_w);
  r->threads = default_threads(*o);
  return HAWC_STATUS_SUCCESS;
}

// The run's workspace, or a status when it exceeds the addressable size.
hawc_status workspace_bytes(const hawc_conv2d& c, int32_t batch, int32_t in_h, int32_t in_w,
                            const CheckedRun& r, size_t* bytes) {
  const size_t needed = winograd_workspace_bytes(c, r.shape, r.threads);
  if (needed > kMaxBytes)
    return fail(HAWC_STATUS_INVALID_PARAMETER,
                "batch %d of %dx%d images on %d threads: the workspace exceeds the addressable "
                "size",
                batch, in_h, in_w, r.threads);
  *bytes = needed;
  return HAWC_STATUS_SUCCESS;
}

}  // namespace
}  // namespace hawc

extern "C" {

hawc_status hawc_conv2d_run(hawc_conv2d* c, int32_t batch, int32_t in_h, int32_t in_w,
                            const hawc_fp16* input, hawc_fp16* output, const hawc_run_options* o) {
  clear_error();
  if (c == nullptr || input == nullptr || output == nullptr)
    return fail(HAWC_STATUS_INVALID_PARAMETER, "hawc_conv2d_run: NULL conv, input or output");
  if (misaligned(input) || misaligned(output))
    return fail(HAWC_STATUS_INVALID_PARAMETER,
                "hawc_conv2d_run: input and output must be 2-byte aligned FP16 tensors");
  hawc_run_options defaults;
  hawc_run_options_init(&defaults);
  if (o == nullptr) o = &defaults;
  CheckedRun r;
  if (hawc_status st = check_run(c, batch, in_h, in_w, o, &r)) return st;
  if (overlaps(input, r.in_bytes, output, r.out_bytes))
    return fail(HAWC_STATUS_INVALID_PARAMETER, "hawc_conv2d_run: output overlaps input");

  size_t needed = 0;
  if (hawc_status st = workspace_bytes(*c, batch, in_h, in_w, r, &needed)) return st;
  if (o->workspace != nullptr) {
    if (o->workspace_size < needed)
      return fail(HAWC_STATUS_INVALID_PARAMETER,
                  "workspace of %zu bytes is smaller than the %zu this run needs",
                  o->workspace_size, needed);
    // The bytes the run writes: its first `needed` (workspace_size may be
    // anything larger, SIZE_MAX included).
    if (overlaps(o->workspace, needed, output, r.out_bytes) ||
        overlaps(o->workspace, needed, input, r.in_bytes))
      return fail(HAWC_STATUS_INVALID_PARAMETER, "hawc_conv2d_run: workspace overlaps a tensor");
    run_winograd(*c, r.shape, input, output, *o, r.threads,
                 static_cast<unsigned char*>(o->workspace));
    return HAWC_STATUS_SUCCESS;
  }
  WorkspaceCache::Lease lease = c->workspace_cache.lease(needed);
  if (lease.data() == nullptr)
    return fail(HAWC_STATUS_OUT_OF_MEMORY,
                "hawc_conv2d_run: out of memory for %zu bytes of workspace", needed);
  run_winograd(*c, r.shape, input, output, *o, r.threads, lease.data());
  return HAWC_STATUS_SUCCESS;
}

hawc_status hawc_conv2d_workspace_size(const hawc_conv2d* c, int32_t batch, int32_t in_h,
                                       int32_t in_w, const hawc_run_options* o, size_t* bytes) {
  clear_error();
  if (c == nullptr || bytes == nullptr)
    return fail(HAWC_STATUS_INVALID_PARAMETER, "hawc_conv2d_workspace_size: NULL argument");
  hawc_run_options defaults;
  hawc_run_options_init(&defaults);
  if (o == nullptr) o = &defaults;
  CheckedRun r;
  if (hawc_status st = check_run(c, batch, in_h, in_w, o, &r)) return st;
  return workspace_bytes(*c, batch, in_h, in_w, r, bytes);
}

hawc_algorithm hawc_conv2d_algorithm(const hawc_conv2d* c) {
  if (c == nullptr) return HAWC_ALGORITHM_AUTO;
  switch (c->variant) {
    case Variant::F2x3:
      return HAWC_ALGORITHM_WINOGRAD_F2X3;
    case Variant::F4x3:
      return HAWC_ALGORITHM_WINOGRAD_F4X3;
    case Variant::F6x3:
      return HAWC_ALGORITHM_WINOGRAD_F6X3;
    case Variant::Gemm:
      return HAWC_ALGORITHM_GEMM;
  }
  return HAWC_ALGORITHM_AUTO;
}

hawc_precision hawc_conv2d_precision(const hawc_conv2d* c) {
  return c == nullptr ? HAWC_PRECISION_HIGH : c->params.precision;
}

const char* hawc_conv2d_implementation(const hawc_conv2d* c) {
  return c == nullptr ? "none" : c->kernels->name;
}

void hawc_conv2d_destroy(hawc_conv2d* c) { delete c; }

}  // extern "C"
