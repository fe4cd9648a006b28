# AWS Graviton2 (Arm Neoverse N1).
set(HAWC_TARGET_MCPU neoverse-n1)
set(HAWC_QEMU_CPU neoverse-n1)
# Cache defaults for the planner when sysfs does not tell (src/cache_info.cpp).
set(HAWC_DEFAULT_L1D_BYTES 65536)
set(HAWC_DEFAULT_L2_BYTES 1048576)
include(${CMAKE_CURRENT_LIST_DIR}/aarch64-common.cmake)
