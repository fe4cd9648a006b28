# AWS Graviton2 (Arm Neoverse N1).
set(HAWC_TARGET_MCPU neoverse-n1)
set(HAWC_QEMU_CPU neoverse-n1)
include(${CMAKE_CURRENT_LIST_DIR}/aarch64-common.cmake)
