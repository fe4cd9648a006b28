#include "src/cpu_features.h"

#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_FPHP
#define HWCAP_FPHP (1 << 9)
#endif
#ifndef HWCAP_ASIMDHP
#define HWCAP_ASIMDHP (1 << 10)
#endif
#ifndef HWCAP_ASIMDFHM
#define HWCAP_ASIMDFHM (1 << 23)
#endif
#endif

namespace hawc {
namespace {

CpuFeatures detect() {
  CpuFeatures f;
#if defined(__aarch64__) && defined(__linux__)
  // The kernel reports what the CPU implements; this is the only safe source
  // (MIDR lists would miss new cores and QEMU's models).
  const unsigned long hwcap = getauxval(AT_HWCAP);
  f.fp16_arith = (hwcap & HWCAP_ASIMDHP) && (hwcap & HWCAP_FPHP);
  // Kunpeng 920 (TSV110) and Neoverse V1 have it, Neoverse N1 does not.
  f.fp16_fml = f.fp16_arith && (hwcap & HWCAP_ASIMDFHM);
#endif
  return f;
}

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = detect();
  return features;
}

}  // namespace hawc
