/* Includes only hawc/hawc.h; computes a 2-channel 4x5 convolution (NCHW,
 * padding 1) and checks every output against a direct computation. */
#include <hawc/hawc.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static float half_to_float(hawc_fp16 h) { /* normal numbers and zero only */
  const unsigned e = (h >> 10) & 0x1f, m = h & 0x3ff;
  const float v = e == 0 ? 0.0f : ldexpf(1.0f + m / 1024.0f, (int)e - 15);
  return (h & 0x8000) ? -v : v;
}
static hawc_fp16 small_int_to_half(int v) { /* |v| <= 2048 */
  if (v == 0) return 0;
  int a = v < 0 ? -v : v, e = 0;
  while ((a >> e) > 1) ++e;
  return (hawc_fp16)((v < 0 ? 0x8000 : 0) | ((e + 15) << 10) | (((a << 10) >> e) & 0x3ff));
}

int main(void) {
  enum { C = 2, K = 3, H = 4, W = 5 };
  hawc_fp16 in[C * H * W], w[K * C * 9], out[K * H * W];
  int in_i[C * H * W], w_i[K * C * 9];
  for (int i = 0; i < C * H * W; ++i) in[i] = small_int_to_half(in_i[i] = (i * 7) % 5 - 2);
  for (int i = 0; i < K * C * 9; ++i) w[i] = small_int_to_half(w_i[i] = (i * 3) % 4 - 1);
  hawc_conv2d_params p;
  hawc_conv2d_params_init(&p);
  p.in_channels = C;
  p.out_channels = K;
  hawc_conv2d* conv = NULL;
  hawc_status s = hawc_conv2d_create(&p, w, NULL, &conv);
  if (s != HAWC_STATUS_SUCCESS) {
    printf("create failed: %s: %s\n", hawc_status_string(s), hawc_last_error_message());
    return 1;
  }
  s = hawc_conv2d_run(conv, 1, H, W, in, out, NULL);
  if (s != HAWC_STATUS_SUCCESS) {
    printf("run failed: %s\n", hawc_last_error_message());
    return 1;
  }
  int bad = 0;
  for (int k = 0; k < K; ++k)
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        int ref = 0;
        for (int c = 0; c < C; ++c)
          for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) {
              const int iy = y + i - 1, ix = x + j - 1;
              if (iy >= 0 && iy < H && ix >= 0 && ix < W)
                ref += in_i[(c * H + iy) * W + ix] * w_i[((k * C + c) * 3 + i) * 3 + j];
            }
        const float got = half_to_float(out[(k * H + y) * W + x]);
        if (fabsf(got - (float)ref) > 0.05f) {
          printf("mismatch at k%d y%d x%d: %g vs %d\n", k, y, x, got, ref);
          bad = 1;
        }
      }
  printf("consumer: %s via %s, %s\n", bad ? "WRONG" : "correct", hawc_conv2d_implementation(conv),
         "hawc " "0.1");
  hawc_conv2d_destroy(conv);
  return bad;
}
