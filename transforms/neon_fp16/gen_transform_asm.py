#!/usr/bin/env python3
"""Writes winograd_f4x3_tiles_asm_neon_fp16.S: the F(4x4, 3x3) input transform
of interior tiles read from NCHW8C and the output transform of full tiles
written to NCHW8C, in assembly (the layout engines with FP16 pack8 blobs use;
every other tile and layout runs the C++ tile loops).

    python3 transforms/neon_fp16/gen_transform_asm.py \\
        > transforms/neon_fp16/winograd_f4x3_tiles_asm_neon_fp16.S

(committed; the ctest transform_asm_generated checks it is what this writes).

Why assembly: the C++ tile loops (transform_tiles_neon_fp16.h) are generic
over variants and layouts, and GCC hoists the 36 point addresses out of them
and spills them, and copies values between registers; here the addresses run
(post-indexed loads and stores), and the operations are ordered so that few
values need a copy.

The input transform:

  void hawc_f4x3_input_tiles_nchw8c__neon_fp16[_f32](
      const float16_t* in,  // x0: top-left pixel of the first tile's 6x6 patch (8 channels)
      size_t row,           // x1: bytes between image rows
      float16_t* v,         // x2: the first tile's slot in its V panel, point 0
      size_t point,         // x3: bytes between V points
      size_t tiles);        // x4: tiles (>= 1), each 4 pixels right of the last,
                            //     each 16 bytes further in V

Every pixel of every patch must lie inside the image (no padding). The
operations are those of F4x3InputTransform::apply, in the same order and
fused the same way, so the bits equal the C++ path's: in FP16 (FAST) or, with
the _f32 suffix, widened to FP32 and narrowed once at the end (HIGH). The
output transform: emit_output_kernel.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../cmake"))
from aarch64_asm import function_begin, function_end, write_source  # noqa: E402

# d B of a patch row (and B^T of a column), as in F4x3InputTransform::apply:
# (dest, op, a, b, constant) with op in sub/add (dest = a op b) and
# fmla/fmls (dest = a +- b * constant, fused); dest may be a new name.
INPUT_STEPS = [
    ("a", "sub", "d1", "d3", None),
    ("b", "sub", "d4", "d2", None),
    ("r3", "fmls", "b", "a", 2),
    ("r4", "fmla", "a", "b", 2),
    ("t", "sub", "d0", "d2", None),
    ("r0", "fmla", "r4", "t", 2),
    ("r0", "fmls", "r0", "a", 4),
    ("s", "sub", "d5", "d3", None),
    ("s", "add", "a", "s", None),
    ("r5", "fmla", "b", "s", 2),
    ("r5", "fmla", "r5", "b", 2),
    ("r1", "fmla", "d2", "d3", 5),
    ("r1", "fmla", "r1", "d4", 2),
    ("r1", "fmls", "r1", "d1", 2),
    ("r2", "fmls", "d3", "d2", 5),
    ("r2", "fmla", "r2", "d4", 2),
    ("r2", "fmla", "r2", "d1", 2),
]
# A^T of a column of M (and of a row of A^T M), as in
# F4x3OutputTransform::apply, ordered so that each accumulator's last use
# consumes it (no copies).
OUTPUT_STEPS = [
    ("e", "add", "d1", "d2", None),
    ("o", "sub", "d1", "d2", None),
    ("r0", "add", "e", "d0", None),
    ("r0", "add", "r0", "d4", None),
    ("r0", "fmla", "r0", "d3", 8),
    ("r3", "add", "o", "d3", None),
    ("r3", "add", "r3", "d5", None),
    ("r3", "fmls", "r3", "d4", 8),
    ("r1", "fmla", "o", "d3", 4),
    ("r1", "fmls", "r1", "d4", 2),
    ("r2", "fmla", "e", "d3", 2),
    ("r2", "fmla", "r2", "d4", 4),
]
# Lanes of the constants' register: input 2, 4, 5; output 2, 4, 8.
INPUT_CONSTS = (2.0, 4.0, 5.0)
OUTPUT_CONSTS = (2.0, 4.0, 8.0)
# The constants' register: by-element FP16 operands must be in v0-v15.
CONST_REG = 15


def transform_1d(e, regs, free, f32, steps=None, consts=INPUT_CONSTS, outputs=6):
    """Emits STEPS on registers: regs maps d0..d5 to register lists (1 per
    value in FP16, 2 in FP32); returns the registers of r0..r5. free is a
    pool of spare registers. Values are overwritten in place where they are
    not used again, else copied (MOV) first: FMLA accumulates into its
    destination."""
    steps = steps or INPUT_STEPS
    arr, lane = ("4s", "s") if f32 else ("8h", "h")
    parts = 2 if f32 else 1
    last_use = {}
    for i, (_, _, a, b, _) in enumerate(steps):
        last_use[a] = i
        last_use[b] = i
    n_out = outputs
    outputs = {f"r{j}" for j in range(n_out)}
    loc = dict(regs)

    def release(name, i):
        if name in loc and name not in outputs and last_use.get(name, -1) <= i:
            free.extend(loc.pop(name))

    for i, (dest, op, a, b, c) in enumerate(steps):
        in_place = dest == a or (a not in outputs and last_use[a] == i and dest not in loc)
        if op in ("sub", "add"):
            out = loc[dest] if dest in loc else [free.pop(0) for _ in range(parts)]
            for k in range(parts):
                e(f"f{op} v{out[k]}.{arr}, v{loc[a][k]}.{arr}, v{loc[b][k]}.{arr}")
            loc[dest] = out
        else:
            if dest == a:
                out = loc[a]
            elif in_place:
                out = loc.pop(a)
            else:
                out = [free.pop(0) for _ in range(parts)]
                for k in range(parts):
                    e(f"mov v{out[k]}.16b, v{loc[a][k]}.16b")
            for k in range(parts):
                e(f"{op} v{out[k]}.{arr}, v{loc[b][k]}.{arr}, v{CONST_REG}.{lane}[{consts.index(c)}]")
            loc[dest] = out
        for name in (a, b):
            if name != dest:
                release(name, i)
    return [loc[f"r{j}"] for j in range(n_out)], loc


def load_consts(e, f32, consts):
    """The transform's constants in lanes 0, 1, 2 of v15 (v30 is scratch)."""
    w = "s" if f32 else "h"
    e(f"fmov {w}{CONST_REG}, #{consts[0]}")
    for k in (1, 2):
        e(f"fmov {w}30, #{consts[k]}")
        e(f"ins v{CONST_REG}.{w}[{k}], v30.{w}[0]")


def pair(op, r1, r2, off):
    """ldp / stp of q registers at scratch offset off: x13 is the scratch, x15
    = x13 + 512 reaches past the 1008-byte immediate of a q pair."""
    return f"{op} q{r1}, q{r2}, [x13, #{off}]" if off <= 1008 else \
        f"{op} q{r1}, q{r2}, [x15, #{off - 512}]"


def emit_kernel(e, f32):
    name = f"hawc_f4x3_input_tiles_nchw8c__neon_fp16{'_f32' if f32 else ''}"
    parts = 2 if f32 else 1
    vbytes = 16 * parts  # one value of 8 channels in the scratch tile
    # d8-d15 at [sp, 0..63], then the scratch tile: d B as [column j][row i].
    scratch = 36 * vbytes
    function_begin(e, name, scratch)
    e("add x13, sp, #64")
    e("add x15, x13, #512")
    load_consts(e, f32, INPUT_CONSTS)
    e("add x9, x3, x3, lsl #1")
    e("lsl x9, x9, #1")  # 6 points: V's next row of the 6x6 point grid
    label = f".Lf4x3in{'32' if f32 else '16'}"
    e(f"{label}_tile:")
    e("mov x10, x0")
    for i in range(6):  # row pass: d B of patch row i into scratch[j][i]
        e("ldp q0, q1, [x10]")
        e("ldp q2, q3, [x10, #32]")
        e("ldp q4, q5, [x10, #64]")
        if i < 5:
            e("add x10, x10, x1")
        if f32:  # d_j widened into (v(16+2j), v(17+2j))
            regs = {}
            for j in range(6):
                lo, hi = 16 + 2 * j, 17 + 2 * j
                e(f"fcvtl v{lo}.4s, v{j}.4h")
                e(f"fcvtl2 v{hi}.4s, v{j}.8h")
                regs[f"d{j}"] = [lo, hi]
            free = [r for r in list(range(0, 16)) + list(range(28, 32)) if r != CONST_REG]
        else:
            regs = {f"d{j}": [j] for j in range(6)}
            free = [r for r in range(6, 32) if r != CONST_REG]
        out, _ = transform_1d(e, regs, free, f32)
        for j in range(6):
            off = (j * 6 + i) * vbytes
            e(pair("stp", out[j][0], out[j][1], off) if f32 else f"str q{out[j][0]}, [x13, #{off}]")
    e("mov x12, x2")
    for j in range(6):  # column pass: B^T of scratch column j into V points (i, j)
        regs = {}
        if f32:
            for i in range(6):
                e(pair("ldp", 2 * i, 2 * i + 1, (j * 6 + i) * vbytes))
                regs[f"d{i}"] = [2 * i, 2 * i + 1]
            free = [r for r in range(12, 32) if r != CONST_REG]
        else:
            for i in range(0, 6, 2):
                e(pair("ldp", i, i + 1, (j * 6 + i) * vbytes))
                regs[f"d{i}"], regs[f"d{i + 1}"] = [i], [i + 1]
            free = [r for r in range(6, 32) if r != CONST_REG]
        out, _ = transform_1d(e, regs, free, f32)
        e("mov x11, x12")
        for i in range(6):
            if f32:
                lo, hi = out[i]
                e(f"fcvtn v{lo}.4h, v{lo}.4s")
                e(f"fcvtn2 v{lo}.8h, v{hi}.4s")
            e(f"st1 {{v{out[i][0]}.8h}}, [x11], x9")
        if j < 5:
            e("add x12, x12, x3")
    e("add x0, x0, #64")
    e("add x2, x2, #16")
    e("subs x4, x4, #1")
    e(f"b.ne {label}_tile")
    function_end(e, name, scratch)


def emit_output_kernel(e, f32, act):
    """Y = A^T M A + bias, activation, of full 4x4 tiles into NCHW8C:
      void hawc_f4x3_output_tiles_nchw8c__neon_fp16[_f32]_{none,relu,relu6}(
          const float* m,          // x0: the first tile's M, point 0 (8 FP32 channels)
          size_t point,            // x1: bytes between M points
          size_t tile,             // x2: bytes between the tiles' M
          float16_t* out,          // x3: the first tile's top-left output pixel
          size_t row,              // x4: bytes between output rows
          const float16_t* bias,   // x5: the 8 channels' FP16 bias
          size_t tiles);           // x6: tiles (>= 1) of one tile row, 4 pixels apart
    The operations of output_tile (transform_tiles_neon_fp16.h) with
    F4x3OutputTransform, so the bits equal the C++ path's."""
    arr = "4s" if f32 else "8h"
    parts = 2 if f32 else 1
    vbytes = 16 * parts
    name = f"hawc_f4x3_output_tiles_nchw8c__neon_fp16{'_f32' if f32 else ''}_{act}"
    scratch = 24 * vbytes  # A^T M as [row i][column j], 4 x 6 values
    function_begin(e, name, scratch)
    e("add x13, sp, #64")
    e("add x15, x13, #512")
    load_consts(e, f32, OUTPUT_CONSTS)
    # Bias (v14, FP16 or widened into v13:v14), activation bounds v30 (0), v31 (6).
    e("ldr q14, [x5]")
    if f32:
        e("fcvtl v13.4s, v14.4h")
        e("fcvtl2 v14.4s, v14.8h")
    if act != "none":
        e("movi v30.8h, #0")
    if act == "relu6":
        e("fmov v31.8h, #6.0")
    e("add x9, x1, x1, lsl #1")
    e("lsl x9, x9, #1")  # 6 points: M's next row of the point grid
    label = f".Lf4x3out{'32' if f32 else '16'}{act}"
    reserved = {CONST_REG, 14, 13, 30, 31}
    e(f"{label}_tile:")
    e("mov x12, x0")
    for j in range(6):  # column pass: A^T of M's column j into scratch[i][j]
        e("mov x11, x12")
        regs = {}
        for i in range(6):
            if f32:
                lo, hi = 2 * i, 2 * i + 1
                e(f"ld1 {{v{lo}.4s, v{hi}.4s}}, [x11], x9")
                regs[f"d{i}"] = [lo, hi]
            else:
                e(f"ld1 {{v16.4s, v17.4s}}, [x11], x9")
                e(f"fcvtn v{i}.4h, v16.4s")
                e(f"fcvtn2 v{i}.8h, v17.4s")
                regs[f"d{i}"] = [i]
        if j == 1:  # the bias at point (1, 1): column 1 of A^T is all ones
            if f32:
                e("fadd v2.4s, v2.4s, v13.4s")
                e("fadd v3.4s, v3.4s, v14.4s")
            else:
                e("fadd v1.8h, v1.8h, v14.8h")
        used = {r for v in regs.values() for r in v}
        free = [r for r in range(32) if r not in used and r not in reserved]
        out, _ = transform_1d(e, regs, free, f32, OUTPUT_STEPS, OUTPUT_CONSTS, outputs=4)
        for i in range(4):
            off = (i * 6 + j) * vbytes
            e(pair("stp", out[i][0], out[i][1], off) if f32 else f"str q{out[i][0]}, [x13, #{off}]")
        if j < 5:
            e("add x12, x12, x1")
    e("mov x10, x3")
    for i in range(4):  # row pass: A^T M A of row i, narrowed, activated, stored
        regs = {}
        if f32:
            for k in range(6):
                e(pair("ldp", 2 * k, 2 * k + 1, (i * 6 + k) * vbytes))
                regs[f"d{k}"] = [2 * k, 2 * k + 1]
        else:
            for k in range(0, 6, 2):
                e(pair("ldp", k, k + 1, (i * 6 + k) * vbytes))
                regs[f"d{k}"], regs[f"d{k + 1}"] = [k], [k + 1]
        used = {r for v in regs.values() for r in v}
        free = [r for r in range(32) if r not in used and r not in reserved]
        out, _ = transform_1d(e, regs, free, f32, OUTPUT_STEPS, OUTPUT_CONSTS, outputs=4)
        y = []
        for k in range(4):
            if f32:
                lo, hi = out[k]
                e(f"fcvtn v{lo}.4h, v{lo}.4s")
                e(f"fcvtn2 v{lo}.8h, v{hi}.4s")
            y.append(out[k][0])
        for r in y:
            if act != "none":
                e(f"fmax v{r}.8h, v{r}.8h, v30.8h")
            if act == "relu6":
                e(f"fmin v{r}.8h, v{r}.8h, v31.8h")
        e(f"stp q{y[0]}, q{y[1]}, [x10]")
        e(f"stp q{y[2]}, q{y[3]}, [x10, #32]")
        if i < 3:
            e("add x10, x10, x4")
    e("add x0, x0, x2")
    e("add x3, x3, #64")
    e("subs x6, x6, #1")
    e(f"b.ne {label}_tile")
    function_end(e, name, scratch)


def main():
    def body(e):
        emit_kernel(e, f32=False)
        emit_kernel(e, f32=True)
        for f32 in (False, True):
            for act in ("none", "relu", "relu6"):
                emit_output_kernel(e, f32, act)

    write_source("transforms/neon_fp16/gen_transform_asm.py", [], "armv8.2-a+fp16", body)


if __name__ == "__main__":
    main()
