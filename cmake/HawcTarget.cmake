# Decides whether the NEON FP16 kernels are built and with which flags.
# The library as a whole keeps the toolchain's baseline (ARMv8.0 for the
# generic target); only the NEON FP16 translation units get FP16 arithmetic.
include(CheckCXXSourceCompiles)

set(HAWC_NEON_FP16_DEFAULT OFF)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set(HAWC_NEON_FP16_DEFAULT ON)
endif()
option(HAWC_NEON_FP16 "Build the NEON FP16 kernels (aarch64)" ${HAWC_NEON_FP16_DEFAULT})

set(HAWC_FP16_FLAGS "")
if(HAWC_NEON_FP16)
  set(_hawc_fp16_probe "
    #include <arm_neon.h>
    #ifndef __ARM_FEATURE_FP16_VECTOR_ARITHMETIC
    #error no FP16 vector arithmetic
    #endif
    int main() { float16x8_t x = vdupq_n_f16(1); x = vfmaq_f16(x, x, x); return (int)vgetq_lane_f16(x, 0); }")
  # A -mcpu of an FP16 core (tsv110, neoverse-n1/v1) already enables it.
  check_cxx_source_compiles("${_hawc_fp16_probe}" HAWC_TOOLCHAIN_HAS_FP16)
  if(NOT HAWC_TOOLCHAIN_HAS_FP16)
    set(HAWC_FP16_FLAGS -march=armv8.2-a+fp16)
    set(CMAKE_REQUIRED_FLAGS -march=armv8.2-a+fp16)
    check_cxx_source_compiles("${_hawc_fp16_probe}" HAWC_MARCH_FP16_WORKS)
    unset(CMAKE_REQUIRED_FLAGS)
    if(NOT HAWC_MARCH_FP16_WORKS)
      message(FATAL_ERROR "The compiler cannot build NEON FP16 code; set -DHAWC_NEON_FP16=OFF")
    endif()
  endif()
endif()
message(STATUS "hawc: NEON FP16 kernels ${HAWC_NEON_FP16} (extra flags: '${HAWC_FP16_FLAGS}')")
