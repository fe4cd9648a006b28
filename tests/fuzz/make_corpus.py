#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_conv2d (tests/fuzz/corpus/), deterministic.

The byte format is described at the top of fuzz_conv2d.cpp: byte 0 the mode,
then one byte per field, each taken modulo its range (so a field value v is
written as v - lo). Run from anywhere: python3 tests/fuzz/make_corpus.py
"""
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")


def valid(mode, c, k, h, w, n=1, pads=(1, 1, 1, 1), layout=0, act=0, algo=0, bias=1, impl=0,
          threads=1, runner=0, workspace=0, schedule=0, offs=(1, 1), seed=1, data=b""):
    fields = [mode, c - 1, k - 1, h - 1, w - 1, n - 1, *pads, layout, act, algo, bias, impl,
              threads, runner, workspace, schedule, *offs]
    return bytes(fields) + struct.pack("<I", seed) + data


def fp16_bits(values):
    return b"".join(struct.pack("<H", v) for v in values)


def main():
    rng = random.Random(20240601)
    cases = {}
    # Mode 0: Gaussian data; each variant, layout, activation, runner, schedule.
    for algo in range(4):
        for layout in range(3):
            c, k = rng.randint(1, 16), rng.randint(1, 16)
            h, w = rng.randint(1, 10), rng.randint(1, 10)
            pads = tuple(rng.randint(0, 2) for _ in range(4))
            cases[f"valid_algo{algo}_layout{layout}"] = valid(
                0, c, k, h, w, n=rng.randint(1, 3), pads=pads, layout=layout, act=rng.randint(0, 2),
                algo=algo, bias=rng.randint(0, 1), impl=rng.randint(0, 2),
                threads=rng.randint(0, 4), runner=rng.randint(0, 2),
                workspace=rng.choice([0, 1, 8, 63]), schedule=rng.randint(0, 2),
                offs=(rng.randint(0, 7), rng.randint(0, 7)), seed=rng.getrandbits(32))
    cases["valid_1x1_image"] = valid(0, 3, 5, 1, 1, pads=(1, 1, 1, 1), algo=3)
    cases["valid_no_padding"] = valid(0, 8, 8, 3, 10, pads=(0, 0, 0, 0), layout=2, algo=2)
    cases["valid_16ch_nchw8c_phased"] = valid(0, 16, 16, 10, 10, n=3, layout=2, threads=4,
                                              runner=1, schedule=2, algo=3)
    cases["valid_9ch_pool_fused"] = valid(0, 9, 17 % 16 or 16, 7, 9, n=2, layout=1, threads=3,
                                          runner=1, schedule=1, workspace=5)
    cases["valid_serial_hook"] = valid(0, 5, 7, 6, 6, threads=4, runner=2, act=2, algo=1)
    # Mode 1: input values from the bytes.
    for i in range(6):
        c, k, h, w = rng.randint(1, 8), rng.randint(1, 8), rng.randint(2, 8), rng.randint(2, 8)
        data = bytes(rng.getrandbits(8) for _ in range(c * h * w))
        cases[f"values_{i}"] = valid(1, c, k, h, w, layout=rng.randint(0, 2),
                                     algo=rng.randint(0, 3), act=rng.randint(0, 2),
                                     threads=rng.randint(1, 4), data=data)
    cases["values_one_hot"] = valid(1, 1, 4, 8, 8, algo=3, data=bytes([0] * 27 + [64] + [0] * 36))
    # Mode 2: FP16 bits: NaN, Inf, the largest finite, subnormals, signed zeros.
    special = [0x7e00, 0x7c00, 0xfc00, 0x7bff, 0xfbff, 0x0001, 0x8001, 0x03ff, 0x0000, 0x8000,
               0x7d00, 0x3c00]
    for i, v in enumerate(special):
        data = fp16_bits([0x3c00] * 20 + [v] + [0x3800] * 43)
        cases[f"bits_{v:04x}"] = valid(2, 1, 3, 8, 8, algo=1 + i % 3, layout=i % 3, data=data)
    cases["bits_all_nan_nhwc"] = valid(2, 3, 2, 4, 4, layout=1, data=fp16_bits([0x7e00] * 48))
    cases["bits_random"] = valid(2, 4, 4, 6, 6, layout=2, algo=3,
                                 data=bytes(rng.getrandbits(8) for _ in range(4 * 36 * 2)))
    # Mode 3: garbage create parameters (selector bits pick the garbage fields;
    # a garbage field's byte < 23 picks an interesting value, < 128 a small one).
    cases["create_valid"] = bytes([3, 0, 0, 3, 4])
    cases["create_kernel_5x5"] = bytes([3, 0b00001100, 0, 3, 4, 64 + 5, 64 + 5])
    cases["create_stride_2"] = bytes([3, 0b00010000, 0, 3, 4, 64 + 2])
    cases["create_negative_channels"] = bytes([3, 0b00000011, 0, 5, 5])
    cases["create_int_max_channels"] = bytes([3, 0b00000011, 0, 22, 22])
    cases["create_impossible_allocation"] = bytes([3, 0b00000011, 0, 20, 20])
    cases["create_bad_layout"] = bytes([3, 0, 0b00000100, 1, 1, 64 + 3])
    cases["create_bad_algorithm"] = bytes([3, 0, 0b00010000, 1, 1, 64 + 17])
    cases["create_pad_3"] = bytes([3, 0b01000000, 0, 1, 1, 64 + 3])
    cases["create_null_weights"] = bytes([3, 0, 0b01000000, 1, 1])
    cases["create_null_out"] = bytes([3, 0, 0b01100000, 1, 1])
    # Mode 4: garbage run arguments (selector: 1 batch, 2 h, 4 w, 8 threads,
    # 16/32 NULL pointer, 64 overlapping output, 128 too small a workspace).
    cases["run_valid"] = bytes([4, 3, 4, 1, 1, 1, 1, 0, 0, 0, 2, 3, 4, 2])
    cases["run_zero_batch"] = bytes([4, 3, 4, 1, 1, 1, 1, 0, 0, 0b00000001, 6, 3, 4, 2])
    cases["run_negative_size"] = bytes([4, 3, 4, 1, 1, 1, 1, 1, 1, 0b00000010, 5, 3, 2])
    cases["run_huge_sizes"] = bytes([4, 3, 4, 1, 1, 1, 1, 2, 2, 0b00000111, 22, 22, 22, 1])
    cases["run_negative_threads"] = bytes([4, 3, 4, 1, 1, 1, 1, 0, 0, 0b00001000, 3, 3, 5, 3])
    cases["run_null_input"] = bytes([4, 3, 4, 1, 1, 1, 1, 0, 0, 0b00100000, 3, 3, 2])
    cases["run_overlap"] = bytes([4, 3, 4, 1, 1, 1, 1, 0, 0, 0b01000000, 3, 3, 2, 10])
    cases["run_small_workspace"] = bytes([4, 3, 4, 1, 1, 1, 1, 2, 1, 0b10000000, 3, 3, 2, 0])
    cases["run_empty_output"] = bytes([4, 3, 4, 0, 0, 0, 0, 0, 0, 0b00000110, 65, 65])
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        os.remove(os.path.join(OUT, old))
    for name, data in sorted(cases.items()):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print(f"{len(cases)} seed inputs in {OUT}")


if __name__ == "__main__":
    main()
