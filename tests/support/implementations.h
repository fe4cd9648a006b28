// The implementations this build can run on this CPU, for parameterised tests
// (so nothing is skipped: an unavailable implementation is simply not listed).
#pragma once

#include <string>
#include <vector>

#include "src/conv2d.h"
#include "src/cpu_features.h"

namespace hawc_test {

inline std::vector<hawc::Implementation> available_implementations() {
  std::vector<hawc::Implementation> v{hawc::Implementation::Portable};
  if (hawc::neon_fp16_kernels_built() && hawc::cpu_features().fp16_arith)
    v.push_back(hawc::Implementation::NeonFp16);
  return v;
}

inline std::string implementation_name(hawc::Implementation i) {
  return i == hawc::Implementation::NeonFp16   ? "NeonFp16"
         : i == hawc::Implementation::Portable ? "Portable"
                                               : "Auto";
}

}  // namespace hawc_test
