/*
 * Self-test guest program for the hawc_insn_count QEMU plugin.
 *
 * Freestanding AArch64 (no libc: link with -nostdlib -static), so every
 * executed instruction is in this file and all counts are exact and
 * deterministic.  run.sh derives the expected counters from the block
 * tallies documented here; keep both in sync.
 *
 * Loop trip counts come from the command line: -DN0=.. -DN1=.. -DN2=..
 * -DN3=.. (each 1..65535).
 *
 * Blocks (per execution):
 *   MIX    34 insns: fp16_fmla 4, fp16_other 6, fp32_fmla 3, loads 11,
 *          stores 6, branches 0, other 4; bytes loaded 145, stored 89.
 *   BRMIX  10 insns (incl. the 2 of sub_ret): branches 8, other 2.
 *   LOOP(N) = "mov x20,#N" (other) + N * (MIX + subs (other) + b.ne (branch))
 *
 * Flow, main thread (vCPU 0):
 *   setup (4 other), LOOP(N0)                              -- outside ROI
 *   fmla .8h (fp16_fmla), ldr q (load, 16 B)               -- same TB as BEGIN, before it
 *   BEGIN
 *     MIX, BRMIX, LOOP(N1), MIX                            -- ROI 1
 *   END
 *   fmla .8h, str q (store, 16 B), b (branch)              -- same TB as END, after it
 *   MIX                                                    -- outside ROI
 *   BEGIN
 *     9 other (clone args), svc (other), cbz, tbnz (2 branches),
 *     LOOP(N2), 6 other (futex args) + svc (other)         -- ROI 2
 *   END
 *   mov, mov, svc (3 other: exit_group)
 * Child thread (vCPU 1), created by raw clone() inside ROI 2; it starts at
 * the cbz after the svc and the main thread waits (futex on the
 * CLONE_CHILD_CLEARTID word, value-checked, so the path is the same
 * whether or not it actually sleeps) until it has exited:
 *   cbz (branch), LOOP(N3)
 *   BEGIN   (nested: global depth 1 -> 2; thread mode: starts its own ROI)
 *     MIX, BRMIX
 *   END     (global depth 2 -> 1; thread mode: ends its own ROI)
 *   MIX, mov, mov, svc (3 other: exit)
 */

#ifndef N0
#error "define N0..N3"
#endif

#define ROI_BEGIN orr x13, x13, x13
#define ROI_END   orr x14, x14, x14

        .arch armv8.2-a+fp16

        /* 34 instructions; x19 = buf, x22 = buf + 128 (restored), x21 = 8 */
        .macro MIX
        fmla    v0.8h, v1.8h, v2.8h             // fp16_fmla
        fmls    v0.4h, v1.4h, v2.4h             // fp16_fmla
        fmla    v3.8h, v1.8h, v2.h[5]           // fp16_fmla (by element)
        fmls    v3.4h, v1.4h, v15.h[0]          // fp16_fmla (by element)
        fadd    v4.8h, v1.8h, v2.8h             // fp16_other
        fmul    v4.8h, v4.8h, v2.h[1]           // fp16_other
        fabs    v5.4h, v5.4h                    // fp16_other
        fcvtl   v6.4s, v5.4h                    // fp16_other
        fcvtn   v7.4h, v6.4s                    // fp16_other
        fadd    h8, h8, h9                      // fp16_other
        fmla    v16.4s, v17.4s, v18.4s          // fp32_fmla
        fmls    v16.2s, v17.2s, v18.2s          // fp32_fmla
        fmla    v19.4s, v17.4s, v18.s[3]        // fp32_fmla (by element)
        fmla    v20.2d, v21.2d, v22.2d          // other (fp64)
        fadd    v23.4s, v23.4s, v24.4s          // other
        add     x9, x9, #1                      // other
        prfm    pldl1keep, [x19]                // other (prefetch)
        ldr     q25, [x19]                      // load  16
        ldp     x10, x11, [x19, #32]            // load  16
        ld1     {v26.8h}, [x19]                 // load  16
        ld1     {v26.8h, v27.8h}, [x19]         // load  32
        ld1r    {v28.8h}, [x19]                 // load   2
        ldrh    w12, [x19, #2]                  // load   2
        ldrb    w12, [x19, #3]                  // load   1
        ldur    w12, [x19, #5]                  // load   4 (unaligned)
        ldr     x12, [x19, x21]                 // load   8
        ld2     {v26.8h, v27.8h}, [x19]         // load  32
        ldr     q25, [x22, #16]!                // load  16 (x22 += 16)
        str     q25, [x19, #64]                 // store 16
        stp     q25, q26, [x19, #96]            // store 32
        st1     {v26.8h}, [x19]                 // store 16
        strb    w12, [x19, #7]                  // store  1
        st2     {v26.4h, v27.4h}, [x19]         // store 16
        str     d25, [x22], #-16                // store  8 (x22 -= 16)
        .endm

        /* 10 instructions executed: 8 branches, 2 other */
        .macro BRMIX
        cbz     x21, 95f                        // branch (not taken)
        cbnz    x21, 91f                        // branch (taken)
91:     tbz     x21, #0, 92f                    // branch (taken)
92:     tbnz    x21, #3, 93f                    // branch (taken)
93:     bl      sub_ret                         // branch (+ add, ret in sub_ret)
        adr     x23, 94f                        // other
        br      x23                             // branch
94:     b       95f                             // branch
95:
        .endm

        /* 1 + N * 36 instructions */
        .macro LOOP n
        mov     x20, #\n                        // other
96:     MIX
        subs    x20, x20, #1                    // other
        b.ne    96b                             // branch
        .endm

        .text
        .global _start
        .type   _start, %function
_start:
        adrp    x19, buf
        add     x19, x19, :lo12:buf
        add     x22, x19, #128
        mov     x21, #8

        /* Phase 0: outside any ROI */
        LOOP    N0

        /* ROI 1: main thread only; markers in the middle of TBs */
        fmla    v4.8h, v5.8h, v6.8h             // not counted with ROI
        ldr     q3, [x19]                       // not counted with ROI
        ROI_BEGIN
        MIX
        BRMIX
        LOOP    N1
        MIX
        ROI_END
        fmla    v4.8h, v5.8h, v6.8h             // not counted with ROI
        str     q3, [x19]                       // not counted with ROI
        b       1f                              // not counted with ROI
1:      MIX                                     // not counted with ROI

        /* ROI 2: a second thread is created and joined inside the ROI */
        ROI_BEGIN
        movz    x0, #0x0f00                     // CLONE_VM|FS|FILES|SIGHAND
        movk    x0, #0x25, lsl #16              // |THREAD|SYSVSEM|CHILD_CLEARTID
        adrp    x1, child_stack_top
        add     x1, x1, :lo12:child_stack_top
        mov     x2, xzr                         // parent_tid
        mov     x3, xzr                         // tls
        adrp    x4, ctid
        add     x4, x4, :lo12:ctid              // child_tid (cleared at exit)
        mov     x8, #220                        // __NR_clone
        svc     #0
        cbz     x0, child                       // the child starts here too
        tbnz    x0, #63, fail
        LOOP    N2
        adrp    x0, ctid
        add     x0, x0, :lo12:ctid
        mov     x1, #0                          // FUTEX_WAIT (shared)
        mov     w2, #-1                         // sleep while ctid == -1
        mov     x3, xzr                         // no timeout
        mov     x8, #98                         // __NR_futex
        svc     #0
        ROI_END
        mov     x0, #0
        mov     x8, #94                         // __NR_exit_group
        svc     #0
fail:
        mov     x0, #1
        mov     x8, #94
        svc     #0

child:
        LOOP    N3
        ROI_BEGIN
        MIX
        BRMIX
        ROI_END
        MIX
        mov     x0, #0
        mov     x8, #93                         // __NR_exit (this thread)
        svc     #0

sub_ret:
        add     x9, x9, #2                      // other
        ret                                     // branch
        .size   _start, . - _start

        .data
        .balign 4
ctid:   .word   0xffffffff

        .bss
        .balign 64
buf:    .skip   256
        .balign 16
child_stack:
        .skip   65536
child_stack_top:

        .section .note.GNU-stack, "", %progbits
