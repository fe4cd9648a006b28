/*
 * hawc: half-precision (FP16) convolution for ARM many-core CPUs: Winograd for
 * 3x3 stride-1 layers, an FP16 GEMM on the same many-core pipeline for every
 * other dense convolution (1x1, strides, kernels up to 7x7, dilation).
 *
 * Usage: create once (weights are transformed and packed), run many times with
 * any batch and spatial size, destroy. All tensors are IEEE 754 binary16 bits.
 *
 * Threading: hawc_conv2d_run may be called on one object from several threads
 * at once. Each call runs on up to hawc_run_options.num_threads OpenMP threads.
 *
 * Errors: every function that can fail returns a hawc_status; on failure
 * nothing is written to the output buffer and hawc_last_error_message()
 * describes the problem (per calling thread, until its next hawc call).
 *
 * OpenMP failures: the one exception. When hawc runs on OpenMP
 * (hawc_run_options.parallel_for NULL) and the OpenMP runtime cannot create
 * a thread or allocate its team (for example num_threads = 1024 under a
 * small virtual memory limit), libgomp prints "libgomp: ..." and ends the
 * process: it has no way to return an error. An engine that must survive
 * resource exhaustion passes its own parallel_for: hawc then starts no
 * thread at all, and a run's only allocation is its workspace (none with a
 * caller workspace), whose failure is HAWC_STATUS_OUT_OF_MEMORY. Otherwise
 * keep num_threads at what the process can start (0 = OpenMP's default).
 */
#ifndef HAWC_HAWC_H
#define HAWC_HAWC_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define HAWC_API
#elif defined(HAWC_BUILDING_LIBRARY)
#define HAWC_API __attribute__((visibility("default")))
#else
#define HAWC_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define HAWC_VERSION_MAJOR 0
#define HAWC_VERSION_MINOR 2
#define HAWC_VERSION_PATCH 0

/* IEEE 754 binary16 value, as raw bits. */
typedef uint16_t hawc_fp16;

typedef enum {
  HAWC_STATUS_SUCCESS = 0,
  HAWC_STATUS_INVALID_PARAMETER,     /* NULL pointer, bad size, unknown enum, aliasing buffers */
  HAWC_STATUS_UNSUPPORTED_PARAMETER, /* valid convolution that hawc does not implement */
  HAWC_STATUS_OUT_OF_MEMORY
} hawc_status;

/* Tensor layouts, used for input and output alike.
 * NCHW:   [N][C][H][W]
 * NHWC:   [N][H][W][C]
 * NCHW8C: [N][ceil(C/8)][H][W][8]; lanes past C in the last block are ignored
 *         on input and written as +0.0 on output (ncnn's fp16 pack8). */
typedef enum { HAWC_LAYOUT_NCHW = 0, HAWC_LAYOUT_NHWC, HAWC_LAYOUT_NCHW8C } hawc_layout;

/* Algorithms. AUTO picks one at create time from the shape, the channel
 * counts and the precision level:
 *  - 3x3, stride 1, dilation 1: Winograd F(m x m, 3 x 3). With FP16 kernels
 *    at HIGH F(4x4) for C <= 8 and C >= 64, F(2x2) between; at FAST F(4x4);
 *    never F(6x6) (its FP16 error exceeds 2e-2); on the FP32 portable path
 *    F(6x6) when C, K >= 16, else F(4x4).
 *  - every other shape, and grouped convolutions: GEMM, an FP16 GEMM over
 *    each output pixel's receptive field (implicit im2col; a 1x1
 *    convolution is the GEMM alone), one per group.
 * A forced WINOGRAD_* on a shape other than 3x3 stride 1 dilation 1 gets
 * HAWC_STATUS_UNSUPPORTED_PARAMETER; GEMM runs every supported shape.
 * README, Accuracy. */
typedef enum {
  HAWC_ALGORITHM_AUTO = 0,
  HAWC_ALGORITHM_WINOGRAD_F2X3,
  HAWC_ALGORITHM_WINOGRAD_F4X3,
  HAWC_ALGORITHM_WINOGRAD_F6X3,
  HAWC_ALGORITHM_GEMM
} hawc_algorithm;

/* Accuracy against speed on the NEON FP16 path, chosen at create (README,
 * Accuracy). Bounds are max|out - ref| / max|ref| against an FP32 direct
 * convolution of the same FP16 values, for in_channels <= 512.
 * HIGH: <= 1e-2 for AUTO, F(2x2) and F(4x4); FP16 sums over short chains
 *       that add up in FP32.
 * FAST: <= 2e-2 for AUTO, the accuracy class of FP16 direct convolution with
 *       FP16 sums; longer FP16 chains and the variants with fewest
 *       multiplications, at fewer instructions.
 * Both hold for inputs from 1e-4 to 1e2 and weights from 1e-3 to 1e3 in
 * magnitude (tested), plus the unavoidable error of rounding each exact
 * output to FP16: hawc scales the transformed filter and, per run, the input
 * by powers of two into FP16's range (README, FP16 range). HIGH's F(4x4)
 * from 64 channels has a random-data tail to 1.03e-2 (README, Accuracy).
 * The portable path (CPUs without FP16 arithmetic) computes in FP32 at both
 * levels. */
typedef enum { HAWC_PRECISION_HIGH = 0, HAWC_PRECISION_FAST } hawc_precision;

/* Applied after the bias, fused into the output transform. */
typedef enum { HAWC_ACTIVATION_NONE = 0, HAWC_ACTIVATION_RELU, HAWC_ACTIVATION_RELU6 } hawc_activation;

/* Shapes (ONNX / PyTorch semantics; each axis on its own):
 *   extent = (kernel - 1) * dilation + 1
 *   out    = (in + pad_before + pad_after - extent) / stride + 1 (rounded down)
 * Implemented: kernel 1..7, stride 1..2, dilation 1..8, 0 <= pad < extent,
 * groups of two or more input channels each (depthwise convolution, one
 * input channel per group, is not). Other valid values (>= 1, pad >= 0) get
 * HAWC_STATUS_UNSUPPORTED_PARAMETER with a message; values below that get
 * HAWC_STATUS_INVALID_PARAMETER. */
typedef struct hawc_conv2d_params {
  int32_t in_channels, out_channels; /* >= 1 */
  int32_t kernel_h, kernel_w;        /* 1..7 */
  int32_t stride_h, stride_w;        /* 1..2 */
  int32_t pad_top, pad_left, pad_bottom, pad_right; /* 0 <= pad < extent */
  hawc_layout layout;                /* of both input and output */
  hawc_activation activation;
  hawc_algorithm algorithm;
  hawc_precision precision;          /* HIGH unless set */
  /* Weights are out_channels x (in_channels / groups) x kernel_h x kernel_w;
   * groups must divide both channel counts; output channel k reads the
   * input channels of group k / (out_channels / groups). Since 0.2. */
  int32_t groups;                    /* 1 unless set */
  int32_t dilation_h, dilation_w;    /* 1 unless set; since 0.2 */
  /* More fields may follow; callers always start from hawc_conv2d_params_init. */
} hawc_conv2d_params;

/* An engine's thread pool, for hawc_run_options.parallel_for: call
 * task(task_context, i) once for every i in [0, n), in any order and on any
 * threads, and return when all calls have returned. hawc passes n <= the
 * num_threads of the run, and each task is a long, evenly sized piece of work,
 * so a plain static split over the pool's workers is what fits best. A run
 * calls it once per pass, one after the other: on the NEON FP16 path a short
 * scan of the input (FP16 range scaling), then one pass (or three: input
 * transform, GEMM, output transform) of the convolution. */
typedef void (*hawc_task_fn)(void* task_context, int32_t index);
typedef void (*hawc_parallel_for_fn)(void* pool_context, int32_t n, hawc_task_fn task,
                                     void* task_context);

/* Upper limit on the threads (and tasks) of one run. */
#define HAWC_MAX_THREADS 1024

typedef struct hawc_run_options {
  /* Threads to use. 0 = the default: OpenMP's (OMP_NUM_THREADS or the core
   * count), or the hardware threads when parallel_for is set. >= 0; values
   * above HAWC_MAX_THREADS count as HAWC_MAX_THREADS, and a run never starts
   * more tasks than it has pieces of work. */
  int32_t num_threads;
  /* NULL: run on OpenMP. Otherwise hawc runs its tasks through this function
   * (with parallel_context), e.g. on ncnn's, ONNX Runtime's or pthreadpool's
   * threads, and starts no thread of its own. */
  hawc_parallel_for_fn parallel_for;
  void* parallel_context;
  /* NULL: hawc uses a workspace cached in the object (allocated on first use,
   * safe under concurrent runs). Otherwise at least
   * hawc_conv2d_workspace_size() bytes, any alignment, used only during the
   * call; run then allocates nothing. Do not share one between concurrent runs. */
  void* workspace;
  size_t workspace_size;
  /* More fields may follow; callers always start from hawc_run_options_init. */
} hawc_run_options;

/* Opaque: transformed, packed weights, bias and the plan. */
typedef struct hawc_conv2d hawc_conv2d;

/* 3x3 kernel, stride 1, padding 1 on every side, dilation 1, 1 group, NCHW,
 * no activation, AUTO, HIGH, 1 input and 1 output channel. */
HAWC_API void hawc_conv2d_params_init(hawc_conv2d_params* p);
HAWC_API void hawc_run_options_init(hawc_run_options* o);

/* weights: out_channels x in_channels / groups x kernel_h x kernel_w (OIHW), required.
 * bias: out_channels values, or NULL for none. Both are copied; the caller may
 * free them after the call. *out is set to NULL on failure. */
HAWC_API hawc_status hawc_conv2d_create(const hawc_conv2d_params* p, const hawc_fp16* weights,
                                        const hawc_fp16* bias, hawc_conv2d** out);

/* out = (in + pad_before + pad_after - extent) / stride + 1 in each dimension
 * (see hawc_conv2d_params); fails with HAWC_STATUS_INVALID_PARAMETER when
 * in + pad_before + pad_after < extent, or when in_h or in_w exceeds
 * INT32_MAX - 256 (the tile loops index rows and columns with int). */
HAWC_API hawc_status hawc_conv2d_output_shape(const hawc_conv2d* c, int32_t in_h, int32_t in_w,
                                              int32_t* out_h, int32_t* out_w);

/* input: batch images of in_channels x in_h x in_w in the object's layout.
 * output: batch images of out_channels x out_h x out_w, same layout; must not
 * overlap the input, nor the caller workspace's first
 * hawc_conv2d_workspace_size() bytes. Tensors (and weights, bias) must be
 * 2-byte aligned, as FP16 arrays are: odd pointers get
 * HAWC_STATUS_INVALID_PARAMETER. o may be NULL. */
HAWC_API hawc_status hawc_conv2d_run(hawc_conv2d* c, int32_t batch, int32_t in_h, int32_t in_w,
                                     const hawc_fp16* input, hawc_fp16* output,
                                     const hawc_run_options* o);

/* Bytes of workspace a run of this shape with these options (threads) needs,
 * for hawc_run_options.workspace. o may be NULL. Every size is computed
 * without wrap-around: a run whose tensors or workspace would exceed the
 * address space (PTRDIFF_MAX bytes) gets HAWC_STATUS_INVALID_PARAMETER. */
HAWC_API hawc_status hawc_conv2d_workspace_size(const hawc_conv2d* c, int32_t batch, int32_t in_h,
                                                int32_t in_w, const hawc_run_options* o,
                                                size_t* bytes);

/* The variant this object runs (what AUTO chose). AUTO for a NULL object. */
HAWC_API hawc_algorithm hawc_conv2d_algorithm(const hawc_conv2d* c);

/* The precision level this object runs (HIGH for a NULL object). */
HAWC_API hawc_precision hawc_conv2d_precision(const hawc_conv2d* c);

/* "neon_fp16" when FP16 NEON kernels run, "portable" otherwise. */
HAWC_API const char* hawc_conv2d_implementation(const hawc_conv2d* c);

/* Releases everything; NULL is a no-op. */
HAWC_API void hawc_conv2d_destroy(hawc_conv2d* c);

HAWC_API const char* hawc_status_string(hawc_status s);

/* The message of the last failed hawc call on this thread ("" if none). */
HAWC_API const char* hawc_last_error_message(void);

#ifdef __cplusplus
}
#endif

#endif /* HAWC_HAWC_H */
