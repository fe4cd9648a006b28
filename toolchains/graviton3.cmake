# AWS Graviton3 (Arm Neoverse V1). QEMU 7.2 has no neoverse-v1 model: use max.
set(HAWC_TARGET_MCPU neoverse-v1)
set(HAWC_QEMU_CPU max)
include(${CMAKE_CURRENT_LIST_DIR}/aarch64-common.cmake)
