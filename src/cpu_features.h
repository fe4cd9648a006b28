// What the running CPU can execute, detected once at first use.
#pragma once

namespace hawc {

struct CpuFeatures {
  bool fp16_arith = false;  // ARMv8.2 FP16 vector arithmetic (HWCAP_ASIMDHP)
};

const CpuFeatures& cpu_features();

}  // namespace hawc
