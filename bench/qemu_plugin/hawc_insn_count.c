/*
 * hawc_insn_count.c - QEMU TCG plugin (plugin API version 1, QEMU 7.2)
 * counting executed AArch64 guest instructions, exactly, by class, per
 * guest thread, with an optional region of interest (ROI) and optional
 * load/store byte counting.
 *
 * Build (host compiler, no glib, no QEMU headers needed):
 *     cc -shared -fPIC -O2 -fvisibility=hidden -o libhawc_insn_count.so \
 *        hawc_insn_count.c
 * Run:
 *     qemu-aarch64 -L / -cpu max \
 *         -plugin ./libhawc_insn_count.so,roi=on,mem=on,out=counts.txt prog
 *
 * Plugin arguments (all optional):
 *     roi=off|on|global|thread   default off.  "on" == "global".
 *         off:    count every executed instruction.
 *         global: count only while the process-wide ROI depth is > 0.
 *                 BEGIN marker (orr x13,x13,x13 = 0xaa0d01ad) increments
 *                 the depth, END marker (orr x14,x14,x14 = 0xaa0e01ce)
 *                 decrements it (never below 0).  Any thread may execute
 *                 the markers and all threads (vCPUs) count while the
 *                 depth is > 0: this is what OpenMP needs, since worker
 *                 threads never execute the markers themselves.
 *         thread: same, but every vCPU has its own depth and counts only
 *                 between the markers it executed itself.
 *         In ROI modes the marker instructions themselves are not counted;
 *         with roi=off they are ordinary instructions (class "other").
 *     mem=on|off                 default off: count bytes loaded/stored
 *                                (via memory callbacks; respects the ROI).
 *     out=PATH|stderr|log        where the report goes (default stderr):
 *                                PATH: the file PATH (truncated);
 *                                stderr: written directly to fd 2;
 *                                log: qemu_plugin_outs(), i.e. QEMU's log,
 *                                which in 7.2 is only printed with
 *                                "-d plugin" (and goes to the -D file if
 *                                given) -- that is why it is not the
 *                                default.  If the process that exits is
 *                                not the one that loaded the plugin (the
 *                                guest fork()ed), ".PID" is appended to
 *                                PATH so the parent's report survives.
 *     Diagnostics (bad argument, no ROI marker seen, ...) go to stderr.
 *
 * Output format (version 1), written once at exit.  Every line is a
 * keyword, optionally an id, then space-separated key=value pairs; values
 * are unsigned decimal integers unless noted:
 *
 *   hawc_insn_count version=1 roi=<off|global|thread> mem=<on|off> vcpus=N roi_begins=N roi_ends=N
 *   total insns=N fp16_fmla=N fp16_other=N fp32_fmla=N loads=N stores=N branches=N other=N bytes_loaded=N bytes_stored=N
 *   thread <vcpu_index> insns=N fp16_fmla=N ... bytes_stored=N    (same keys as "total")
 *   ...
 *
 *   - insns = fp16_fmla + fp16_other + fp32_fmla + loads + stores +
 *     branches + other (the classes are disjoint).
 *   - "total" is the sum of all "thread" lines.
 *   - One "thread" line per vCPU index that counted anything, in
 *     increasing index order.  In linux-user mode each guest thread is a
 *     vCPU; the main thread is 0 and new threads get the next free index
 *     (QEMU may reuse the index of a thread that has exited, whose counts
 *     are then merged).  vCPU indices >= HAWC_MAX_VCPUS share one slot,
 *     reported as "thread overflow".
 *   - vcpus = number of distinct vCPU indices that were created.
 *   - roi_begins / roi_ends = number of executed BEGIN / END markers (only
 *     counted when roi != off).
 *   - bytes_* are 0 when mem=off.
 *
 * Classes (decoded once, at translation time, from the A64 encoding; the
 * masks are listed in classify() and in README.md):
 *   fp16_fmla  : Advanced SIMD vector FMLA/FMLS, half precision (.4h/.8h),
 *                vector and by-element forms.
 *   fp16_other : every other half-precision FP data-processing instruction:
 *                AdvSIMD FP16 three-same (FADD/FSUB/FMUL/FMAX/FMIN/FDIV/
 *                FCMxx/FABD/FADDP...), FP16 two-reg misc (FABS/FNEG/FSQRT/
 *                FRINTx/FCVTxx/SCVTF/FCMxx zero...), FP16 across lanes,
 *                FP16 scalar pairwise, FP16 by-element FMUL/FMULX, scalar
 *                by-element FMLA/FMLS/FMUL/FMULX (h), FMLAL/FMLSL(2)
 *                (vector and by element), FCMLA/FCADD .4h/.8h, FCVTN/FCVTL
 *                between .4s and .4h/.8h, fixed-point FCVTZx/xCVTF with
 *                half elements, FMOV .4h/.8h immediate, every scalar FP
 *                instruction with ftype = half (FADD h, FMADD h, FCMP h,
 *                FCVT s<-h, FCVTZS w<-h, SCVTF h<-w, FMOV h...), and FCVT
 *                h<-s / h<-d.
 *   fp32_fmla  : Advanced SIMD vector FMLA/FMLS single precision
 *                (.2s/.4s), vector and by-element forms.  (Scalar FMLA s,
 *                FMADD s and .2d forms are "other".)
 *   loads      : every A64 load: LDR/LDRB/LDRH/LDRSx/LDUR/LDTR (GPR and
 *                SIMD&FP, all addressing modes), LDR literal, LDP/LDNP/
 *                LDPSW, LD1-LD4 (multiple, single lane, replicate), LDXR/
 *                LDAXR/LDAR/LDLAR/LDAPR/LDAPUR, LDRAA/LDRAB, and the
 *                read-modify-write atomics (CAS/CASP/SWP/LDADD/... and
 *                their ST<op> aliases) which are counted as loads.
 *   stores     : STR/STRB/STRH/STUR/STTR (GPR and SIMD&FP), STP/STNP,
 *                ST1-ST4, STXR/STLXR/STLR/STLLR/STLUR, STGP.
 *   branches   : B, BL, B.cond, BC.cond, CBZ/CBNZ, TBZ/TBNZ, BR/BLR/RET
 *                and the rest of "unconditional branch (register)"
 *                (incl. pointer-authenticated forms).  Taken or not.
 *   other      : everything else (integer ALU, moves, system, SVC, PRFM,
 *                FP32/FP64 non-FMLA, SVE, ...).
 *
 * Counting scheme: at translation time every TB is split into segments at
 * ROI markers (with roi=off a TB is a single segment) and the class counts
 * of each segment are precomputed.  The first segment is added by a TB
 * execution callback; the segment after a marker is added by the marker's
 * instruction callback after it has updated the ROI depth.  So the ROI
 * boundary is exact at instruction granularity for the thread executing
 * the marker; other threads observe a changed global depth at their next
 * TB start.  The hot path (TB callback) does only plain adds into the
 * executing vCPU's own cache-line-aligned counter slot: no atomics, no
 * locks.  Memory callbacks (mem=on, registered only on load/store-group
 * and SVE instructions) check the ROI at every access, so byte counts are
 * exact at instruction granularity.
 *
 * Limitations:
 *   - Counts are added when a TB (segment) starts executing.  If a TB
 *     stops early (a synchronous exception in its middle: a faulting load
 *     delivered as SIGSEGV/SIGBUS, an undefined instruction, or QEMU's
 *     EXCP_ATOMIC path that re-executes a parallel atomic in a one-insn
 *     TB), the rest of that TB is still counted, i.e. the counts can be
 *     slightly high for such code.  Normal code (including SVC, which
 *     always ends a TB) is counted exactly.
 *   - Memory bytes are what QEMU 7.2 reports to plugins (checked): RMW
 *     atomics (LDADD/SWP/CAS) count as a read plus a write, STXR as a
 *     write plus a read (QEMU implements it with a cmpxchg), and DC ZVA
 *     (used by glibc memset for large blocks) is not reported at all.
 *     SVE memory accesses were not tested.
 *   - Per-TB segment data is allocated at translation time and never freed
 *     (retranslations after a TB flush allocate again).
 */

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* getpid(), pid_t with -std=c11 */
#endif
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------------
 * Minimal declarations of the QEMU TCG plugin API, version 1, as provided by
 * QEMU 7.2 (include/qemu/qemu-plugin.h is not installed on this system; it
 * is normally only shipped in QEMU's source tree).  Only what this plugin
 * uses is declared; the types, enum values and prototypes must match the
 * ABI exported by the qemu-aarch64 binary.  The symbols are resolved at
 * dlopen() time against the qemu executable (built with -rdynamic).
 * ------------------------------------------------------------------------ */
#ifndef HAWC_DECODE_ONLY

#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))

/* Opaque plugin id handed to qemu_plugin_install(). */
typedef uint64_t qemu_plugin_id_t;

/* QEMU's loader requires this symbol; 7.2 accepts API version 1. */
QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;

/* Information block passed to qemu_plugin_install() (only live during it). */
typedef struct qemu_info_t {
    const char *target_name;
    struct {
        int min;
        int cur;
    } version;
    bool system_emulation;
    union { /* anonymous in QEMU's header; named here for C99 (same layout) */
        struct {
            int smp_vcpus;
            int max_vcpus;
        } system;
    } u;
} qemu_info_t;

/* Opaque handles for a translation block and one of its instructions. */
struct qemu_plugin_tb;
struct qemu_plugin_insn;

/* Whether a callback accesses CPU registers (we never do). */
enum qemu_plugin_cb_flags {
    QEMU_PLUGIN_CB_NO_REGS,
    QEMU_PLUGIN_CB_R_REGS,
    QEMU_PLUGIN_CB_RW_REGS,
};

/* Which memory accesses a memory callback wants to see. */
enum qemu_plugin_mem_rw {
    QEMU_PLUGIN_MEM_R = 1,
    QEMU_PLUGIN_MEM_W,
    QEMU_PLUGIN_MEM_RW,
};

/* Opaque memory-access descriptor (a 32-bit value in API v1). */
typedef uint32_t qemu_plugin_meminfo_t;

typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_simple_cb_t)(qemu_plugin_id_t id,
                                             unsigned int vcpu_index);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index,
                                            void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
                                               struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_mem_cb_t)(unsigned int vcpu_index,
                                          qemu_plugin_meminfo_t info,
                                          uint64_t vaddr, void *userdata);

/* Entry point, called once when the plugin is loaded; !0 = refuse. */
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv);

/* Registration / query functions exported by qemu (API v1). */
void qemu_plugin_register_vcpu_init_cb(qemu_plugin_id_t id,
                                       qemu_plugin_vcpu_simple_cb_t cb);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
                                           qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
                                          qemu_plugin_vcpu_udata_cb_t cb,
                                          enum qemu_plugin_cb_flags flags,
                                          void *userdata);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                            qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags,
                                            void *userdata);
void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *insn,
                                      qemu_plugin_vcpu_mem_cb_t cb,
                                      enum qemu_plugin_cb_flags flags,
                                      enum qemu_plugin_mem_rw rw,
                                      void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
                                    qemu_plugin_udata_cb_t cb,
                                    void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
                                                 size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
unsigned int qemu_plugin_mem_size_shift(qemu_plugin_meminfo_t info);
bool qemu_plugin_mem_is_store(qemu_plugin_meminfo_t info);
void qemu_plugin_outs(const char *string);

#endif /* !HAWC_DECODE_ONLY */

/* ------------------------------------------------------------------------
 * Instruction classification (A64 encodings, Arm ARM "A64 instruction set
 * encoding").  Pure function of the 32-bit instruction word.
 * ------------------------------------------------------------------------ */
enum {
    K_FP16_FMLA,
    K_FP16_OTHER,
    K_FP32_FMLA,
    K_LOAD,
    K_STORE,
    K_BRANCH,
    K_OTHER,
    K_N
};

static const char *const k_names[K_N] = {
    "fp16_fmla", "fp16_other", "fp32_fmla", "loads", "stores", "branches",
    "other",
};

#define HAWC_ROI_BEGIN_INSN 0xaa0d01adu /* orr x13, x13, x13 */
#define HAWC_ROI_END_INSN   0xaa0e01ceu /* orr x14, x14, x14 */

#define MATCH(w, mask, val) (((w) & (mask)) == (val))

/* Loads and stores group: op0<28:25> = x1x0. */
static int classify_ldst(uint32_t w)
{
    const uint32_t op0 = w >> 28;          /* bits 31:28 */
    const uint32_t op1 = (w >> 26) & 1;    /* bit 26 (V / SIMD) */
    const uint32_t op2 = (w >> 23) & 3;    /* bits 24:23 */
    const uint32_t op3 = (w >> 16) & 0x3f; /* bits 21:16 */
    const uint32_t op4 = (w >> 10) & 3;    /* bits 11:10 */
    const uint32_t L = (w >> 22) & 1;      /* load bit where applicable */

    switch (op0 & 3) {
    case 0:
        if (op1) {
            /* AdvSIMD load/store multiple / single structure(s) (LD1-4,
             * ST1-4, LDnR): 0 Q 0 0110 0x L ...; L = bit 22. */
            if (w & 0xa0000000u) /* bits 31 and 29 must be 0 */
                return K_OTHER;
            return L ? K_LOAD : K_STORE;
        }
        if (op2 & 2) {
            /* op0 = 1101, op2 = 1x: memory tagging (STG/LDG/...) */
            return K_OTHER;
        }
        /* Load/store exclusive, ordered (LDAR/STLR/LDLAR/STLLR), CAS,
         * CASP: size 001000 o2<23> L<22> o1<21> Rs o0 Rt2 Rn Rt.
         * o1 = 1 with (o2 = 1 or size = 0x) is CAS/CASP (RMW). */
        if (((w >> 21) & 1) && (((w >> 23) & 1) || !(w >> 31)))
            return K_LOAD;
        return L ? K_LOAD : K_STORE;
    case 1:
        if (op2 & 2) {
            /* op2 = 1x: LDAPUR/STLUR (RCpc unscaled; op1=0, op3=0xxxxx,
             * op4=00, opc<23:22> = 00 store else load); anything else
             * here (FEAT_MOPS CPY/SET, LRCPC3...) is "other". */
            if (!op1 && !(op3 & 0x20) && op4 == 0)
                return ((w >> 22) & 3) ? K_LOAD : K_STORE;
            return K_OTHER;
        }
        /* Load register (literal): opc<31:30> V<26>; V=0 opc=11 is PRFM. */
        if (!op1 && (w >> 30) == 3)
            return K_OTHER;
        return K_LOAD;
    case 2:
        /* Load/store pair (no-allocate, post, offset, pre): L = bit 22.
         * STGP (op0 = 0110, L = 0) is a store. */
        return L ? K_LOAD : K_STORE;
    default: {
        /* Load/store register: size<31:30> 111 V<26> op2<24:23> opc<23:22>. */
        const uint32_t size = w >> 30;
        const uint32_t opc = (w >> 22) & 3;
        if (!(op2 & 2) && (op3 & 0x20)) {
            if (op4 == 0) /* atomic memory operations (LDADD/SWP/LDAPR..) */
                return K_LOAD;
            if (op4 & 1) /* LDRAA/LDRAB (pointer authentication) */
                return K_LOAD;
            /* op4 == 10: register offset, decoded below */
        }
        if (op1) /* SIMD&FP: opc<0> = load (opc 1x with size 00 = Q reg) */
            return (opc & 1) ? K_LOAD : K_STORE;
        if (opc == 0)
            return K_STORE;
        if (size == 3 && opc == 2) /* PRFM / PRFUM */
            return K_OTHER;
        return K_LOAD; /* LDR, LDRSB/SH/SW (opc 01, 10, 11) */
    }
    }
}

/* Data processing -- scalar FP and Advanced SIMD: op0<28:25> = x111. */
static int classify_fpsimd(uint32_t w)
{
    uint32_t opc;

    /* --- FP16 vector FMLA/FMLS --- */
    /* AdvSIMD three same (FP16): 0 Q U 01110 a 10 Rm 00 opcode 1 Rn Rd;
     * FMLA: U=0 a=0 opcode=001, FMLS: U=0 a=1 opcode=001. */
    if (MATCH(w, 0xbf60fc00u, 0x0e400c00u))
        return K_FP16_FMLA;
    /* AdvSIMD vector x indexed element, size=00 (half):
     * 0 Q U 01111 00 L M Rm opcode H 0 Rn Rd; FMLA opcode=0001,
     * FMLS opcode=0101 (U=0). */
    if (MATCH(w, 0xbfc0b400u, 0x0f001000u))
        return K_FP16_FMLA;

    /* --- FP32 vector FMLA/FMLS --- */
    /* AdvSIMD three same: 0 Q U 01110 o1 sz 1 Rm 11001 1 Rn Rd with U=0,
     * sz=0 (single); o1=0 FMLA, o1=1 FMLS. */
    if (MATCH(w, 0xbf60fc00u, 0x0e20cc00u))
        return K_FP32_FMLA;
    /* By element: 0 Q 0 01111 1 sz L M Rm 0x01 H 0 Rn Rd with sz=0. */
    if (MATCH(w, 0xbfc0b400u, 0x0f801000u))
        return K_FP32_FMLA;

    /* --- other FP16 --- */
    /* AdvSIMD three same (FP16), vector and scalar (bit 30 / bit 28). */
    if (MATCH(w, 0x9f60c400u, 0x0e400400u) ||
        MATCH(w, 0xdf60c400u, 0x5e400400u))
        return K_FP16_OTHER;
    /* AdvSIMD two-register misc (FP16), vector and scalar:
     * 0 Q U 01110 a 1111 00 opcode 10 Rn Rd / 01 U 11110 a 111100 ... */
    if (MATCH(w, 0x9f7e0c00u, 0x0e780800u) ||
        MATCH(w, 0xdf7e0c00u, 0x5e780800u))
        return K_FP16_OTHER;
    opc = (w >> 12) & 0x1f;
    /* Across lanes, half: 0 Q 0 01110 a 0 11000 opcode 10: FMAXNMV/FMINNMV
     * (01100), FMAXV/FMINV (01111). */
    if (MATCH(w, 0xbf7e0c00u, 0x0e300800u) && (opc == 0x0c || opc == 0x0f))
        return K_FP16_OTHER;
    /* Scalar pairwise, half: 01 0 11110 o1 0 11000 opcode 10: FMAXNMP
     * (01100), FADDP (01101), FMAXP (01111) and the MIN forms. */
    if (MATCH(w, 0xff7e0c00u, 0x5e300800u) &&
        (opc == 0x0c || opc == 0x0d || opc == 0x0f))
        return K_FP16_OTHER;
    /* Vector by element, half, FMUL (U=0) / FMULX (U=1): opcode 1001. */
    if (MATCH(w, 0x9fc0f400u, 0x0f009000u))
        return K_FP16_OTHER;
    /* Scalar by element, half: 01 U 11111 00 L M Rm opcode H 0:
     * FMLA(0001) FMLS(0101) FMUL(1001) FMULX(U=1,1001). */
    if (MATCH(w, 0xdfc00400u, 0x5f000000u)) {
        opc = (w >> 12) & 0xf;
        if (opc == 1 || opc == 5 || opc == 9)
            return K_FP16_OTHER;
    }
    /* FMLAL/FMLSL (U=0, opcode 11101) and FMLAL2/FMLSL2 (U=1, opcode
     * 11001), three same with size = o:0. */
    if (MATCH(w, 0xbf60fc00u, 0x0e20ec00u) ||
        MATCH(w, 0xbf60fc00u, 0x2e20cc00u))
        return K_FP16_OTHER;
    /* FMLAL/FMLSL/FMLAL2/FMLSL2 by element: 0 Q U 01111 1 0 L M Rm
     * opcode H 0 with opcode = U S 0 0. */
    if (MATCH(w, 0x9fc03400u, 0x0f800000u) && ((w >> 15) & 1) == ((w >> 29) & 1))
        return K_FP16_OTHER;
    /* FCMLA/FCADD vector, size=01 (half): 0 Q 1 01110 01 0 Rm 1 1xxx 1. */
    if (MATCH(w, 0xbfe0c400u, 0x2e40c400u))
        return K_FP16_OTHER;
    /* FCMLA by element, size=01: 0 Q 1 01111 01 L M Rm 0 rot 1 H 0. */
    if (MATCH(w, 0xbfc09400u, 0x2f401000u))
        return K_FP16_OTHER;
    /* FCVTN/FCVTN2 (.4s -> .4h/.8h) and FCVTL/FCVTL2 (.4h/.8h -> .4s):
     * 0 Q 0 01110 0 sz=0 10000 1011x 10. */
    if (MATCH(w, 0xbfffec00u, 0x0e216800u))
        return K_FP16_OTHER;
    /* Shift by immediate, immh = 001x (half): SCVTF/UCVTF (11100),
     * FCVTZS/FCVTZU (11111); vector and scalar. */
    if (MATCH(w, 0x9ff00400u, 0x0f100400u) ||
        MATCH(w, 0xdff00400u, 0x5f100400u)) {
        opc = (w >> 11) & 0x1f;
        if (opc == 0x1c || opc == 0x1f)
            return K_FP16_OTHER;
    }
    /* FMOV (vector, immediate), half: 0 Q 0 0111100000 abc 1111 1 1. */
    if (MATCH(w, 0xbff8fc00u, 0x0f00fc00u))
        return K_FP16_OTHER;
    /* Scalar FP (data-processing 1/2/3 source, compare, cond. compare,
     * cond. select, immediate, conversions to/from integer and fixed
     * point) with ftype<23:22> = 11 (half): x 0 0 1111x 11 ... */
    if (MATCH(w, 0x7ec00000u, 0x1ec00000u))
        return K_FP16_OTHER;
    /* FCVT Hd, Sn / Hd, Dn: 0 0 0 11110 ftype 1 000111 10000 Rn Rd. */
    if (MATCH(w, 0xff3ffc00u, 0x1e23c000u))
        return K_FP16_OTHER;
    return K_OTHER;
}

static int classify(uint32_t w)
{
    /* Loads and stores: op0<28:25> = x1x0. */
    if (MATCH(w, 0x0a000000u, 0x08000000u))
        return classify_ldst(w);
    /* Branches, exception generating and system: op0 = 101x. */
    if (MATCH(w, 0x1c000000u, 0x14000000u)) {
        if (MATCH(w, 0x7c000000u, 0x14000000u)) /* B, BL */
            return K_BRANCH;
        if (MATCH(w, 0xff000000u, 0x54000000u)) /* B.cond, BC.cond */
            return K_BRANCH;
        if (MATCH(w, 0x7e000000u, 0x34000000u)) /* CBZ, CBNZ */
            return K_BRANCH;
        if (MATCH(w, 0x7e000000u, 0x36000000u)) /* TBZ, TBNZ */
            return K_BRANCH;
        if (MATCH(w, 0xfe000000u, 0xd6000000u)) /* BR/BLR/RET/... */
            return K_BRANCH;
        return K_OTHER; /* SVC, HINT, barriers, MRS/MSR, SYS ... */
    }
    /* Scalar FP and Advanced SIMD: op0 = x111. */
    if (MATCH(w, 0x0e000000u, 0x0e000000u))
        return classify_fpsimd(w);
    return K_OTHER;
}

#ifndef HAWC_DECODE_ONLY

/* ------------------------------------------------------------------------
 * Counters
 * ------------------------------------------------------------------------ */
#ifndef HAWC_MAX_VCPUS
#define HAWC_MAX_VCPUS 1024
#endif
#define HAWC_LINE 128 /* pad to 2 x 64-byte lines (adjacent-line prefetch) */

typedef struct {
    uint64_t insns;
    uint64_t k[K_N]; /* k[K_OTHER] is derived at exit: insns - the rest */
    uint64_t bytes_ld;
    uint64_t bytes_st;
    int64_t depth;  /* ROI nesting depth of this vCPU (roi=thread) */
    uint32_t seen;  /* vCPU was created */
} Ctr;

typedef union {
    Ctr c;
    char pad[HAWC_LINE];
} __attribute__((aligned(HAWC_LINE))) CtrSlot;

_Static_assert(sizeof(Ctr) <= HAWC_LINE, "counter slot too small");

/* Slot HAWC_MAX_VCPUS is shared by all larger vCPU indices (atomic adds). */
static CtrSlot slots[HAWC_MAX_VCPUS + 1];

/* Class counts of one TB segment while it is being decoded. */
typedef struct {
    uint32_t n;
    uint32_t k[K_N];
} SegCount;

/* Precomputed counts of one TB segment, compact form for the hot path:
 * the instruction count plus only the non-zero classes other than "other"
 * (typically 1-3 entries; measured ~1.5x cheaper than adding all classes
 * unconditionally).  n <= 512 (TCG_MAX_INSNS) fits the 16-bit counts. */
typedef struct {
    uint32_t n;
    uint32_t nk;
    uint16_t kc[K_N - 1];
    uint8_t ki[K_N - 1];
} Seg;

/* A ROI marker instruction and the segment that follows it in its TB. */
typedef struct {
    int begin;
    Seg after;
} Marker;

enum { ROI_OFF, ROI_GLOBAL, ROI_THREAD };
static int roi_mode = ROI_OFF;
static bool mem_on;
static const char *out_path;
static pid_t install_pid;

/* Process-wide ROI depth (roi=global); written only by marker callbacks. */
static int64_t g_depth __attribute__((aligned(HAWC_LINE)));
static uint64_t n_begins, n_ends;

/* Diagnostics and the default report go straight to the host stderr:
 * qemu_plugin_outs() output is only shown with "-d plugin" in QEMU 7.2. */
static void diag(const char *msg)
{
    fputs(msg, stderr);
    fflush(stderr);
}

static inline Ctr *slot_of(unsigned int vcpu)
{
    return &slots[vcpu < HAWC_MAX_VCPUS ? vcpu : HAWC_MAX_VCPUS].c;
}

static inline void seg_add(unsigned int vcpu, Ctr *c, const Seg *s)
{
    uint32_t i;
    if (__builtin_expect(vcpu < HAWC_MAX_VCPUS, 1)) {
        /* Only this vCPU's thread ever writes its slot: plain adds. */
        c->insns += s->n;
        for (i = 0; i < s->nk; i++)
            c->k[s->ki[i]] += s->kc[i];
    } else {
        __atomic_fetch_add(&c->insns, s->n, __ATOMIC_RELAXED);
        for (i = 0; i < s->nk; i++)
            __atomic_fetch_add(&c->k[s->ki[i]], s->kc[i], __ATOMIC_RELAXED);
    }
}

static void seg_pack(Seg *d, const SegCount *s)
{
    int i;
    memset(d, 0, sizeof(*d));
    d->n = s->n;
    for (i = 0; i < K_N; i++) {
        if (i != K_OTHER && s->k[i]) {
            d->ki[d->nk] = (uint8_t)i;
            d->kc[d->nk] = (uint16_t)s->k[i];
            d->nk++;
        }
    }
}

/* Hot path: one of these runs at the start of every executed TB. */
static void tb_exec_all(unsigned int vcpu, void *ud)
{
    seg_add(vcpu, slot_of(vcpu), ud);
}

static void tb_exec_global(unsigned int vcpu, void *ud)
{
    if (__atomic_load_n(&g_depth, __ATOMIC_RELAXED) > 0)
        seg_add(vcpu, slot_of(vcpu), ud);
}

static void tb_exec_thread(unsigned int vcpu, void *ud)
{
    Ctr *c = slot_of(vcpu);
    if (__atomic_load_n(&c->depth, __ATOMIC_RELAXED) > 0)
        seg_add(vcpu, c, ud);
}

static inline bool roi_active(const Ctr *c)
{
    switch (roi_mode) {
    case ROI_GLOBAL:
        return __atomic_load_n(&g_depth, __ATOMIC_RELAXED) > 0;
    case ROI_THREAD:
        return __atomic_load_n(&c->depth, __ATOMIC_RELAXED) > 0;
    default:
        return true;
    }
}

/* Returns the new depth. END never takes the depth below 0. */
static int64_t depth_update(int64_t *p, int begin)
{
    int64_t old = __atomic_load_n(p, __ATOMIC_RELAXED);
    int64_t nv;
    do {
        nv = begin ? old + 1 : (old > 0 ? old - 1 : 0);
    } while (!__atomic_compare_exchange_n(p, &old, nv, false, __ATOMIC_SEQ_CST,
                                          __ATOMIC_RELAXED));
    return nv;
}

/* Runs just before a marker instruction executes (roi != off). */
static void marker_exec(unsigned int vcpu, void *ud)
{
    const Marker *m = ud;
    Ctr *c = slot_of(vcpu);
    int64_t d;

    __atomic_fetch_add(m->begin ? &n_begins : &n_ends, 1, __ATOMIC_RELAXED);
    d = depth_update(roi_mode == ROI_GLOBAL ? &g_depth : &c->depth, m->begin);
    if (d > 0)
        seg_add(vcpu, c, &m->after);
}

static void mem_access(unsigned int vcpu, qemu_plugin_meminfo_t info,
                       uint64_t vaddr, void *ud)
{
    Ctr *c = slot_of(vcpu);
    uint64_t bytes;
    uint64_t *dst;
    (void)vaddr;
    (void)ud;

    if (!roi_active(c))
        return;
    bytes = (uint64_t)1 << qemu_plugin_mem_size_shift(info);
    dst = qemu_plugin_mem_is_store(info) ? &c->bytes_st : &c->bytes_ld;
    if (__builtin_expect(vcpu < HAWC_MAX_VCPUS, 1))
        *dst += bytes;
    else
        __atomic_fetch_add(dst, bytes, __ATOMIC_RELAXED);
}

static void vcpu_init(qemu_plugin_id_t id, unsigned int vcpu)
{
    (void)id;
    __atomic_store_n(&slot_of(vcpu)->seen, 1, __ATOMIC_RELAXED);
}

static void *xcalloc(size_t n)
{
    void *p = calloc(1, n);
    if (!p) {
        diag("hawc_insn_count: out of memory\n");
        abort();
    }
    return p;
}

/* Translation time: classify every instruction once, build segments. */
static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    const size_t n = qemu_plugin_tb_n_insns(tb);
    SegCount cur;
    Seg *first = NULL;  /* segment before the first marker (if any) */
    Marker *last = NULL;
    size_t i;
    (void)id;

    memset(&cur, 0, sizeof(cur));
    for (i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint32_t w = 0;
        int k;

        if (qemu_plugin_insn_size(insn) == 4)
            memcpy(&w, qemu_plugin_insn_data(insn), 4); /* A64 is LE */

        if (roi_mode != ROI_OFF &&
            (w == HAWC_ROI_BEGIN_INSN || w == HAWC_ROI_END_INSN)) {
            Marker *m = xcalloc(sizeof(*m));
            if (last)
                seg_pack(&last->after, &cur);
            else if (cur.n) {
                first = xcalloc(sizeof(*first));
                seg_pack(first, &cur);
            }
            memset(&cur, 0, sizeof(cur));
            m->begin = (w == HAWC_ROI_BEGIN_INSN);
            qemu_plugin_register_vcpu_insn_exec_cb(insn, marker_exec,
                                                   QEMU_PLUGIN_CB_NO_REGS, m);
            last = m;
            continue;
        }

        k = classify(w);
        cur.n++;
        cur.k[k]++;
        /* QEMU 7.2 adds per-instruction setup code for every instruction
         * with a memory callback, so only instrument the encoding groups
         * that can access memory: loads/stores (op0 = x1x0) and SVE
         * (op0 = 0010, includes the SVE loads/stores). */
        if (mem_on && (MATCH(w, 0x0a000000u, 0x08000000u) ||
                       MATCH(w, 0x1e000000u, 0x04000000u)))
            qemu_plugin_register_vcpu_mem_cb(insn, mem_access,
                                             QEMU_PLUGIN_CB_NO_REGS,
                                             QEMU_PLUGIN_MEM_RW, NULL);
    }
    if (last)
        seg_pack(&last->after, &cur);
    else if (cur.n) {
        first = xcalloc(sizeof(*first));
        seg_pack(first, &cur);
    }
    if (first) {
        qemu_plugin_vcpu_udata_cb_t cb =
            roi_mode == ROI_GLOBAL ? tb_exec_global
            : roi_mode == ROI_THREAD ? tb_exec_thread
                                     : tb_exec_all;
        qemu_plugin_register_vcpu_tb_exec_cb(tb, cb, QEMU_PLUGIN_CB_NO_REGS,
                                             first);
    }
}

/* ------------------------------------------------------------------------
 * Report
 * ------------------------------------------------------------------------ */
typedef struct {
    char *buf;
    size_t len, cap;
} Str;

static void str_printf(Str *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void str_printf(Str *s, const char *fmt, ...)
{
    va_list ap;
    int need;
    for (;;) {
        size_t room = s->cap - s->len;
        va_start(ap, fmt);
        need = vsnprintf(s->buf ? s->buf + s->len : NULL, s->buf ? room : 0,
                         fmt, ap);
        va_end(ap);
        if (need < 0)
            return;
        if (s->buf && (size_t)need < room) {
            s->len += (size_t)need;
            return;
        }
        s->cap = (s->cap + (size_t)need + 1) * 2;
        s->buf = realloc(s->buf, s->cap);
        if (!s->buf)
            abort();
    }
}

static void fmt_counts(Str *s, const Ctr *c)
{
    int i;
    str_printf(s, " insns=%" PRIu64, c->insns);
    for (i = 0; i < K_N; i++)
        str_printf(s, " %s=%" PRIu64, k_names[i], c->k[i]);
    str_printf(s, " bytes_loaded=%" PRIu64 " bytes_stored=%" PRIu64 "\n",
               c->bytes_ld, c->bytes_st);
}

static void plugin_exit(qemu_plugin_id_t id, void *ud)
{
    static const char *const roi_names[] = {"off", "global", "thread"};
    Ctr total;
    Str s = {NULL, 0, 0};
    unsigned int v, nseen = 0;
    int i;
    (void)id;
    (void)ud;

    /* In linux-user mode QEMU stops all other vCPUs before calling this. */
    memset(&total, 0, sizeof(total));
    for (v = 0; v <= HAWC_MAX_VCPUS; v++) {
        Ctr *c = &slots[v].c;
        uint64_t rest = 0;
        for (i = 0; i < K_N; i++)
            rest += i != K_OTHER ? c->k[i] : 0;
        c->k[K_OTHER] = c->insns - rest;
        nseen += c->seen ? 1 : 0;
        total.insns += c->insns;
        for (i = 0; i < K_N; i++)
            total.k[i] += c->k[i];
        total.bytes_ld += c->bytes_ld;
        total.bytes_st += c->bytes_st;
    }
    str_printf(&s,
               "hawc_insn_count version=1 roi=%s mem=%s vcpus=%u"
               " roi_begins=%" PRIu64 " roi_ends=%" PRIu64 "\n",
               roi_names[roi_mode], mem_on ? "on" : "off", nseen, n_begins,
               n_ends);
    str_printf(&s, "total");
    fmt_counts(&s, &total);
    for (v = 0; v <= HAWC_MAX_VCPUS; v++) {
        const Ctr *c = &slots[v].c;
        if (!c->insns && !c->bytes_ld && !c->bytes_st)
            continue;
        if (v < HAWC_MAX_VCPUS)
            str_printf(&s, "thread %u", v);
        else
            str_printf(&s, "thread overflow");
        fmt_counts(&s, c);
    }

    if (!out_path || !strcmp(out_path, "stderr")) {
        diag(s.buf);
    } else if (!strcmp(out_path, "log")) {
        qemu_plugin_outs(s.buf);
    } else {
        char path[4096];
        FILE *f;
        bool ok;
        if (getpid() != install_pid)
            snprintf(path, sizeof(path), "%s.%ld", out_path, (long)getpid());
        else
            snprintf(path, sizeof(path), "%s", out_path);
        f = fopen(path, "w");
        ok = f && fwrite(s.buf, 1, s.len, f) == s.len;
        if (f && fclose(f) != 0)
            ok = false;
        if (!ok) {
            diag("hawc_insn_count: cannot write the output file; report:\n");
            diag(s.buf);
        }
    }
    if (roi_mode != ROI_OFF && n_begins == 0)
        diag("hawc_insn_count: warning: ROI enabled but no BEGIN marker "
             "(orr x13,x13,x13) was executed\n");
    free(s.buf);
}

/* ------------------------------------------------------------------------
 * Installation and argument parsing
 * ------------------------------------------------------------------------ */
static int parse_bool(const char *v, bool *out)
{
    if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "yes") ||
        !strcmp(v, "1")) {
        *out = true;
        return 0;
    }
    if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "no") ||
        !strcmp(v, "0")) {
        *out = false;
        return 0;
    }
    return -1;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    int i;
    char msg[512];

    if (info->target_name && strcmp(info->target_name, "aarch64") != 0) {
        snprintf(msg, sizeof(msg),
                 "hawc_insn_count: only aarch64 guests are supported (got %s)\n",
                 info->target_name);
        diag(msg);
        return -1;
    }
    for (i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strncmp(a, "roi=", 4)) {
            const char *v = a + 4;
            bool b;
            if (!strcmp(v, "global"))
                roi_mode = ROI_GLOBAL;
            else if (!strcmp(v, "thread"))
                roi_mode = ROI_THREAD;
            else if (parse_bool(v, &b) == 0)
                roi_mode = b ? ROI_GLOBAL : ROI_OFF;
            else
                goto bad;
        } else if (!strncmp(a, "mem=", 4)) {
            if (parse_bool(a + 4, &mem_on))
                goto bad;
        } else if (!strncmp(a, "out=", 4) && a[4]) {
            out_path = a + 4; /* argv stays valid for the plugin's life */
        } else {
            goto bad;
        }
    }
    install_pid = getpid();

    qemu_plugin_register_vcpu_init_cb(id, vcpu_init);
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;

bad:
    snprintf(msg, sizeof(msg),
             "hawc_insn_count: bad argument '%s' (expected roi=off|on|global|"
             "thread, mem=on|off, out=PATH|stderr|log)\n",
             argv[i]);
    diag(msg);
    return -1;
}

#endif /* !HAWC_DECODE_ONLY */
