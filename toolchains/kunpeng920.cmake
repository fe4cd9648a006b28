# Huawei Kunpeng 920 (TaiShan v110 cores). QEMU has no tsv110 model: use max.
set(HAWC_TARGET_MCPU tsv110)
set(HAWC_QEMU_CPU max)
include(${CMAKE_CURRENT_LIST_DIR}/aarch64-common.cmake)
