#!/usr/bin/env python3
"""Writes gemm_f16_asm_neon_fp16.S: the NEON FP16 GEMM micro-kernels in assembly.

    python3 kernels/neon_fp16/gen_gemm_asm.py > kernels/neon_fp16/gemm_f16_asm_neon_fp16.S

The .S file is committed, so building hawc needs no Python; the ctest
gemm_asm_generated checks that it is what this script writes.

Why assembly: the kernel is a 128-FMLA loop body whose value is its
instruction count. GCC kept inserting DUPs, 2-register LDPs, spills and a
15-instruction chunk set-up around intrinsics (bench/RESULTS_mca.md); here
every instruction is written down.

One function per block shape MR x NR (MR = 1..8 tiles, NR = 8 or 16 output
channels) and merge flavour:

  void hawc_gemm_f16_{MR}x{NR}__neon_fp16[fhm](
      const float16_t* v,   // x0: the block's first tile in its V panel
      size_t v_step,        // x1: bytes between 8-channel steps of a tile
      const float16_t* u,   // x2: the U panel, [c][NR]
      size_t steps,         // x3: Cp / 8 (>= 1)
      float* m,             // x4: M row of the first tile, FP32
      size_t ldm,           // x5: bytes between M rows (tiles)
      size_t chain_steps,   // x6: 8-channel steps per FP16 chain (>= 1)
      size_t panels,        // x7: U panels (>= 1), one after the other in u; panel j
                            //     writes M columns [j * NR, (j + 1) * NR)
      size_t v_panels);     // [sp]: V panels (>= 1) of MR tiles, one after the other
                            //     (steps * v_step bytes apart), each through every
                            //     U panel into the next MR rows of M

One call per run of V panels (and group of U panels): the call and its
d8-d15 frame cost about 35 instructions, paid once per V panel before
(3528 calls on resnet50.conv2_x, 82K instructions).

Numerics (the same for every MR, so a tile's bits never depend on its block):
each accumulator is one FP16 FMLA chain over 8 * chain_steps channels
(starting with FMUL, so no zeroing); at the end of a chain the FP16 sums are
widened and added to the FP32 M in memory (the first chain stores). The
"fhm" flavour does that add with FMLAL/FMLAL2 by 1.0 (FEAT_FHM), which is
bitwise the same as FCVTL + FADD (the product by 1.0 is exact, one FP32
rounding either way) in 3 instead of 5 instructions per accumulator.

Registers: V tiles v0-v7 (the by-element FP16 operand must be in v0-v15),
U v8-v15 (two lanes' worth of 16 channels in flight), accumulators v16-v31.
d8-d15 are callee-saved and pushed.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../cmake"))
from aarch64_asm import function_begin, function_end, write_source  # noqa: E402

MRS = range(1, 9)
NRS = (8, 16)


def acc(t, j, nr):
    """Accumulator register of tile t, 8-channel group j."""
    return 16 + t * (nr // 8) + j


def load_regs(first, count, arrangement):
    regs = ", ".join(f"v{first + i}.{arrangement}" for i in range(count))
    return "{" + regs + "}"


def emit_v_loads(e, mr):
    # Tiles are 16 bytes apart: up to 4 per LD1, two pointers (x0, x11) that
    # both advance by the step.
    e(f"ld1 {load_regs(0, min(mr, 4), '8h')}, [x0], x1")
    if mr > 4:
        e(f"ld1 {load_regs(4, mr - 4, '8h')}, [x11], x1")


def u_reg(lane, j, nr):
    if nr == 8:
        return 8 + lane  # 8 lanes x 8 channels: v8-v15, two LD1 x4
    pair = lane // 2  # lanes (2p, 2p+1) share one LD1 x4; even pairs v8-v11, odd v12-v15
    return (8 if pair % 2 == 0 else 12) + 2 * (lane % 2) + j


def emit_lane(e, mr, nr, lane, first):
    for t in range(mr):
        for j in range(nr // 8):
            op = "fmul" if first and lane == 0 else "fmla"
            e(f"{op} v{acc(t, j, nr)}.8h, v{u_reg(lane, j, nr)}.8h, v{t}.h[{lane}]")


def emit_step(e, mr, nr, first):
    """One 8-channel step: MR x NR x 8 FMLAs, MR + NR V and U vectors loaded."""
    if nr == 8:
        e(f"ld1 {load_regs(8, 4, '8h')}, [x2], #64")
        e(f"ld1 {load_regs(12, 4, '8h')}, [x2], #64")
        emit_v_loads(e, mr)
        for lane in range(8):
            emit_lane(e, mr, nr, lane, first)
        return
    e(f"ld1 {load_regs(8, 4, '8h')}, [x2], #64")
    e(f"ld1 {load_regs(12, 4, '8h')}, [x2], #64")
    emit_v_loads(e, mr)
    for pair in range(4):
        # The next pair's U goes into the registers the previous pair used.
        if pair >= 2:
            base = 8 if pair % 2 == 0 else 12
            e(f"ld1 {load_regs(base, 4, '8h')}, [x2], #64")
        emit_lane(e, mr, nr, 2 * pair, first)
        emit_lane(e, mr, nr, 2 * pair + 1, first)


def emit_merge(e, mr, nr, mode):
    """Adds (or, mode 'store', writes) the FP16 accumulators into FP32 M rows.

    Temporaries alternate between v0-v3/v4-v7 by tile so that consecutive
    tiles do not wait on each other; 'fhm' keeps 1.0 in v8."""
    e("mov x12, x4")
    if mode == "fhm":
        e("fmov v8.8h, #1.0")
    for t in range(mr):
        base = 4 * (t % 2)
        regs = load_regs(base, nr // 4, "4s")
        if mode == "store":
            for j in range(nr // 8):
                e(f"fcvtl v{base + 2 * j}.4s, v{acc(t, j, nr)}.4h")
                e(f"fcvtl2 v{base + 2 * j + 1}.4s, v{acc(t, j, nr)}.8h")
        elif mode == "fhm":
            e(f"ld1 {regs}, [x12]")
            for j in range(nr // 8):
                e(f"fmlal v{base + 2 * j}.4s, v{acc(t, j, nr)}.4h, v8.h[0]")
                e(f"fmlal2 v{base + 2 * j + 1}.4s, v{acc(t, j, nr)}.4h, v8.h[0]")
        else:
            # Widen into the other half of the temporaries (v8-v15 are free
            # here: the chain's U is consumed).
            wide = 8 + base
            e(f"ld1 {regs}, [x12]")
            for j in range(nr // 8):
                e(f"fcvtl v{wide + 2 * j}.4s, v{acc(t, j, nr)}.4h")
                e(f"fcvtl2 v{wide + 2 * j + 1}.4s, v{acc(t, j, nr)}.8h")
            for i in range(nr // 4):
                e(f"fadd v{base + i}.4s, v{base + i}.4s, v{wide + i}.4s")
        e(f"st1 {regs}, [x12], x5")


def emit_kernel(e, mr, nr, fhm):
    name = f"hawc_gemm_f16_{mr}x{nr}__neon_fp16{'fhm' if fhm else ''}"
    label = f".L{mr}x{nr}{'f' if fhm else ''}"
    function_begin(e, name, prelude=["ldr x9, [sp]"])  # v_panels, before the frame moves sp
    # Several U panels per call: the V block is read again for each (it stays
    # in L1), U runs on, and the call overhead is paid once. Then the next V
    # panel, from the first U panel again.
    e("mov x13, x0")
    e("mov x14, x3")
    e("mov x15, x4")
    e("mov x16, x2")  # the first U panel
    e("mov x17, x7")  # U panels per V panel
    e(f"{label}_panel:")
    e("mov x0, x13")
    e("mov x3, x14")
    e("mov x4, x15")
    if mr > 4:
        e("add x11, x0, #64")
    e("mov x8, #0")  # chains merged so far: the first one stores
    e(f"{label}_chain:")
    e("cmp x3, x6")
    e("csel x10, x3, x6, lo")  # steps in this chain
    e("sub x3, x3, x10")
    emit_step(e, mr, nr, first=True)
    e("subs x10, x10, #1")
    e(f"b.eq {label}_merge")
    e(f"{label}_step:")
    emit_step(e, mr, nr, first=False)
    e("subs x10, x10, #1")
    e(f"b.ne {label}_step")
    e(f"{label}_merge:")
    e(f"cbnz x8, {label}_add")
    emit_merge(e, mr, nr, "store")
    e("mov x8, #1")
    e(f"cbnz x3, {label}_chain")
    e(f"b {label}_next")
    e(f"{label}_add:")
    emit_merge(e, mr, nr, "fhm" if fhm else "add")
    e(f"cbnz x3, {label}_chain")
    e(f"{label}_next:")
    e(f"add x15, x15, #{nr * 4}")
    e("subs x7, x7, #1")
    e(f"b.ne {label}_panel")
    e("subs x9, x9, #1")
    e(f"b.eq {label}_done")
    e("madd x13, x14, x1, x13")  # the next V panel: steps * v_step bytes on
    e(f"sub x15, x15, x17, lsl #{(nr * 4).bit_length() - 1}")  # back to M column 0 ...
    if mr & (mr - 1) == 0:  # ... MR rows down
        e(f"add x15, x15, x5, lsl #{mr.bit_length() - 1}")
    else:
        e(f"mov x12, #{mr}")
        e("madd x15, x5, x12, x15")
    e("mov x2, x16")
    e("mov x7, x17")
    e(f"b {label}_panel")
    e(f"{label}_done:")
    function_end(e, name)


def main():
    def body(e):
        for fhm in (False, True):
            for nr in NRS:
                for mr in MRS:
                    emit_kernel(e, mr, nr, fhm)

    write_source("kernels/neon_fp16/gen_gemm_asm.py",
                 ["NEON FP16 GEMM micro-kernels (contract: the script's docstring)."],
                 "armv8.2-a+fp16+fp16fml", body)


if __name__ == "__main__":
    main()
