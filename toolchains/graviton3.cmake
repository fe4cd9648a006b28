# AWS Graviton3 (Arm Neoverse V1). QEMU 7.2 has no neoverse-v1 model: use max.
set(HAWC_TARGET_MCPU neoverse-v1)
set(HAWC_QEMU_CPU "max,sve-max-vq=2")  # SVE-256 like Neoverse V1; QEMU 7.2 has no neoverse-v1
# Cache defaults for the planner when sysfs does not tell (src/cache_info.cpp).
set(HAWC_DEFAULT_L1D_BYTES 65536)
set(HAWC_DEFAULT_L2_BYTES 1048576)
include(${CMAKE_CURRENT_LIST_DIR}/aarch64-common.cmake)
