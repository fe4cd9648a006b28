# Generic aarch64 (ARMv8.0-A baseline); FP16 kernels are chosen at run time.
set(HAWC_TARGET_MCPU "")
set(HAWC_QEMU_CPU max)
include(${CMAKE_CURRENT_LIST_DIR}/aarch64-common.cmake)
