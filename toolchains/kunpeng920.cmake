# Huawei Kunpeng 920 (TaiShan v110 cores). QEMU has no tsv110 model: use max.
set(HAWC_TARGET_MCPU tsv110)
set(HAWC_QEMU_CPU "max,sve=off")  # TSV110 has no SVE; QEMU has no tsv110 model
# Cache defaults for the planner when sysfs does not tell (src/cache_info.cpp).
set(HAWC_DEFAULT_L1D_BYTES 65536)
set(HAWC_DEFAULT_L2_BYTES 524288)
include(${CMAKE_CURRENT_LIST_DIR}/aarch64-common.cmake)
