// What the running CPU can execute, detected once at first use.
#pragma once

namespace hawc {

struct CpuFeatures {
  bool fp16_arith = false;  // ARMv8.2 FP16 vector arithmetic (HWCAP_ASIMDHP)
  bool fp16_fml = false;    // FMLAL/FMLAL2, FP16 products into FP32 (FEAT_FHM, HWCAP_ASIMDFHM)
};

const CpuFeatures& cpu_features();

}  // namespace hawc
