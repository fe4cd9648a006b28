/* The basic life of a hawc convolution, in C: create once (the weights are
 * transformed and packed then), run it many times on inputs of any batch and
 * spatial size, destroy. Every result is checked against a direct
 * convolution; a bad call shows the error reporting. Exit code 0 when all
 * results are within tolerance.
 *
 * Build: cc conv2d_basic.c $(pkg-config --cflags --libs hawc) -lm
 *        (or find_package(hawc) and link hawc::hawc, as examples/CMakeLists.txt) */
#include <hawc/hawc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* IEEE binary16 <-> float (round to nearest even; finite values). */
static float half_to_float(hawc_fp16 h) {
  const int e = (h >> 10) & 0x1f, m = h & 0x3ff;
  float v;
  if (e == 0x1f)
    v = m ? NAN : INFINITY;
  else if (e == 0)
    v = ldexpf((float)m, -24);
  else
    v = ldexpf((float)(m | 0x400), e - 25);
  return (h & 0x8000) ? -v : v;
}
static hawc_fp16 float_to_half(float f) {
  const hawc_fp16 sign = signbit(f) ? 0x8000 : 0;
  float a = fabsf(f);
  if (a >= 65520.0f) return sign | 0x7c00;
  if (a < ldexpf(1.0f, -14)) return sign | (hawc_fp16)lrintf(a * 16777216.0f); /* subnormal */
  int e;
  frexpf(a, &e);                      /* a = f * 2^e, f in [0.5, 1) */
  long m = lrintf(ldexpf(a, 11 - e)); /* 11 significant bits, ties to even */
  if (m == 2048) m = 1024, ++e;
  return sign | (hawc_fp16)(((e + 14) << 10) | (m & 0x3ff));
}

/* Deterministic pseudo-random values in [-1, 1). */
static float next_value(unsigned* state) {
  *state = *state * 1664525u + 1013904223u;
  return (float)(*state >> 8) / 8388608.0f - 1.0f;
}

enum { C = 8, K = 16 }; /* input and output channels */

int main(void) {
  /* Parameters: always start from hawc_conv2d_params_init (3x3, stride 1,
   * padding 1, NCHW, AUTO), then set what differs. */
  hawc_conv2d_params p;
  hawc_conv2d_params_init(&p);
  p.in_channels = C;
  p.out_channels = K;
  p.layout = HAWC_LAYOUT_NHWC;
  p.activation = HAWC_ACTIVATION_RELU;

  static hawc_fp16 weights[K * C * 9], bias[K]; /* OIHW and K values */
  unsigned state = 12345;
  for (int i = 0; i < K * C * 9; ++i) weights[i] = float_to_half(0.25f * next_value(&state));
  for (int k = 0; k < K; ++k) bias[k] = float_to_half(0.1f * next_value(&state));

  hawc_conv2d* conv = NULL;
  hawc_status s = hawc_conv2d_create(&p, weights, bias, &conv);
  if (s != HAWC_STATUS_SUCCESS) {
    fprintf(stderr, "create: %s: %s\n", hawc_status_string(s), hawc_last_error_message());
    return 1;
  }
  printf("created: %d -> %d channels, %s, implementation %s\n", C, K,
         hawc_conv2d_algorithm(conv) == HAWC_ALGORITHM_WINOGRAD_F2X3   ? "F(2x2,3x3)"
         : hawc_conv2d_algorithm(conv) == HAWC_ALGORITHM_WINOGRAD_F4X3 ? "F(4x4,3x3)"
                                                                       : "F(6x6,3x3)",
         hawc_conv2d_implementation(conv));

  /* The same object runs any batch and spatial size. */
  const int shapes[][3] = {{1, 7, 9}, {2, 16, 16}, {3, 5, 31}, {1, 1, 1}, {4, 28, 28}};
  int failures = 0;
  for (size_t t = 0; t < sizeof shapes / sizeof shapes[0]; ++t) {
    const int n = shapes[t][0], h = shapes[t][1], w = shapes[t][2];
    int oh, ow;
    if (hawc_conv2d_output_shape(conv, h, w, &oh, &ow) != HAWC_STATUS_SUCCESS) {
      fprintf(stderr, "output_shape: %s\n", hawc_last_error_message());
      return 1;
    }
    hawc_fp16* in = malloc(sizeof(hawc_fp16) * n * h * w * C);
    hawc_fp16* out = malloc(sizeof(hawc_fp16) * n * oh * ow * K);
    if (in == NULL || out == NULL) return 1;
    for (int i = 0; i < n * h * w * C; ++i) in[i] = float_to_half(next_value(&state));

    /* NULL options: OpenMP threads, the object's own cached workspace. */
    s = hawc_conv2d_run(conv, n, h, w, in, out, NULL);
    if (s != HAWC_STATUS_SUCCESS) {
      fprintf(stderr, "run: %s: %s\n", hawc_status_string(s), hawc_last_error_message());
      return 1;
    }

    /* Direct convolution in float (NHWC, padding 1, ReLU) for comparison. */
    double max_ref = 0, max_err = 0;
    for (int b = 0; b < n; ++b)
      for (int y = 0; y < oh; ++y)
        for (int x = 0; x < ow; ++x)
          for (int k = 0; k < K; ++k) {
            double acc = half_to_float(bias[k]);
            for (int i = 0; i < 3; ++i)
              for (int j = 0; j < 3; ++j) {
                const int iy = y + i - 1, ix = x + j - 1;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                for (int c = 0; c < C; ++c)
                  acc += (double)half_to_float(in[((b * h + iy) * w + ix) * C + c]) *
                         half_to_float(weights[((k * C + c) * 3 + i) * 3 + j]);
              }
            const double ref = acc > 0 ? acc : 0;
            const double got = half_to_float(out[((b * oh + y) * ow + x) * K + k]);
            if (fabs(ref) > max_ref) max_ref = fabs(ref);
            if (!(fabs(got - ref) <= max_err)) max_err = isnan(got) ? INFINITY : fabs(got - ref);
          }
    /* hawc's accuracy: max |error| / max |ref| below 1e-2 for F(4x4) in FP16
     * (README, Accuracy); allow twice that. */
    const double rel = max_ref > 0 ? max_err / max_ref : max_err;
    const int ok = rel <= 2e-2;
    failures += !ok;
    printf("run N%d %dx%d -> %dx%d: max error %.2e of max |out| %.3g: %s\n", n, h, w, oh, ow, rel,
           max_ref, ok ? "ok" : "WRONG");
    free(in);
    free(out);
  }

  /* Errors: a status, a message for this thread, and nothing written. */
  hawc_fp16 in1[C], out1[K];
  memset(out1, 0, sizeof out1);
  s = hawc_conv2d_run(conv, 1, 0, 1, in1, out1, NULL);
  printf("run with a 0x1 input: %s (\"%s\")\n", hawc_status_string(s), hawc_last_error_message());
  if (s != HAWC_STATUS_INVALID_PARAMETER) ++failures;

  hawc_conv2d_destroy(conv);
  printf("%s\n", failures ? "FAILED" : "all runs correct");
  return failures ? 1 : 0;
}
