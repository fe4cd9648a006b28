/*
 * hawc_roi.h - region-of-interest markers for the hawc_insn_count QEMU
 * plugin (bench/qemu_plugin/).  C and C++.
 *
 *   HAWC_ROI_BEGIN();   // emits  orr x13, x13, x13  (0xaa0d01ad)
 *   ... code to measure ...
 *   HAWC_ROI_END();     // emits  orr x14, x14, x14  (0xaa0e01ce)
 *
 * Both instructions are architectural no-ops (a register ORed with itself)
 * that compilers never emit, so they cost one cycle on hardware and are
 * recognised by the plugin when run with "roi=on" (process-wide: every
 * thread, e.g. OpenMP workers, counts between BEGIN and END executed by any
 * thread; nesting is allowed) or "roi=thread" (each thread counts between
 * its own markers).
 *
 * The asm is volatile with a "memory" clobber: the compiler will not move
 * memory accesses across the markers nor delete them.  Pure register
 * arithmetic may still be scheduled across them, so put the markers around
 * whole function calls / loops rather than around a few instructions.
 *
 * On non-AArch64 targets (or compilers without GNU inline asm) the macros
 * expand to nothing.
 */
#ifndef HAWC_ROI_H
#define HAWC_ROI_H

#if defined(__aarch64__) && (defined(__GNUC__) || defined(__clang__))
#define HAWC_ROI_BEGIN() __asm__ __volatile__("orr x13, x13, x13" ::: "memory")
#define HAWC_ROI_END() __asm__ __volatile__("orr x14, x14, x14" ::: "memory")
#else
#define HAWC_ROI_BEGIN() ((void)0)
#define HAWC_ROI_END() ((void)0)
#endif

#endif /* HAWC_ROI_H */
