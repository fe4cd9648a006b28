/*
 * OpenMP demo for the hawc_insn_count plugin (used by omp_demo.sh; not part
 * of the exact self-test).  Four threads run an FP16 FMLA kernel and an
 * FP32 FMLA kernel inside one process-wide ROI; thread start-up, data
 * initialisation and printing are outside it.
 *
 * Exact expectations inside the ROI (independent of scheduling):
 *   fp16_fmla = (N / 8) * REPS   vector FMLA .8h  (vfmaq_f16)
 *   fp32_fmla = (N / 4) * REPS   vector FMLA .4s  (vfmaq_f32)
 * split evenly over the 4 threads (schedule(static), N divisible).
 */
#include <arm_neon.h>
#include <omp.h>
#include <stdio.h>

#include "../../hawc_roi.h"

#ifndef N
#define N (1 << 14)
#endif
#ifndef REPS
#define REPS 64
#endif
#define NTHREADS 4

static float16_t a16[N], b16[N], c16[N];
static float a32[N], b32[N], c32[N];

int main(void)
{
    int i;
    double sum = 0;

    omp_set_num_threads(NTHREADS);
    for (i = 0; i < N; i++) {
        a16[i] = (float16_t)(1.0f / (1 + i % 7));
        b16[i] = (float16_t)0.001f;
        c16[i] = 0;
        a32[i] = 1.0f / (1 + i % 5);
        b32[i] = 0.001f;
        c32[i] = 0;
    }
    /* Create the thread pool outside the ROI. */
#pragma omp parallel
    {
        if (omp_get_thread_num() == 0 && omp_get_num_threads() != NTHREADS)
            printf("warning: %d threads\n", omp_get_num_threads());
    }

    HAWC_ROI_BEGIN();
#pragma omp parallel for schedule(static)
    for (i = 0; i < N; i += 8) {
        float16x8_t va = vld1q_f16(&a16[i]);
        float16x8_t vb = vld1q_f16(&b16[i]);
        float16x8_t vc = vld1q_f16(&c16[i]);
        for (int r = 0; r < REPS; r++) {
            vc = vfmaq_f16(vc, va, vb);
            __asm__("" : "+w"(vc)); /* keep one FMLA per repetition */
        }
        vst1q_f16(&c16[i], vc);
    }
#pragma omp parallel for schedule(static)
    for (i = 0; i < N; i += 4) {
        float32x4_t va = vld1q_f32(&a32[i]);
        float32x4_t vb = vld1q_f32(&b32[i]);
        float32x4_t vc = vld1q_f32(&c32[i]);
        for (int r = 0; r < REPS; r++) {
            vc = vfmaq_f32(vc, va, vb);
            __asm__("" : "+w"(vc));
        }
        vst1q_f32(&c32[i], vc);
    }
    HAWC_ROI_END();

    for (i = 0; i < N; i++)
        sum += (double)c16[i] + c32[i];
    printf("checksum %.6f\n", sum);
    return 0;
}
