# Shared by the aarch64 toolchain files, which set before including it:
#   HAWC_TARGET_MCPU  -mcpu value, or empty for the generic ARMv8-A baseline
#   HAWC_QEMU_CPU     QEMU CPU model that runs the tests on a non-ARM host
# On an aarch64 host the native compiler builds and tests run natively.
set(HAWC_TOOLCHAIN_DIR ${CMAKE_CURRENT_LIST_DIR})

if(NOT CMAKE_HOST_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
  set(CMAKE_SYSTEM_NAME Linux)
  set(CMAKE_SYSTEM_PROCESSOR aarch64)
  set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
  set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
  # Libraries (GoogleTest, Google Benchmark, oneDNN, XNNPACK) come from
  # Debian's arm64 multiarch packages in /usr/lib/aarch64-linux-gnu.
  set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
  set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,-rpath-link,/usr/lib/aarch64-linux-gnu")
  set(CMAKE_SHARED_LINKER_FLAGS_INIT "-Wl,-rpath-link,/usr/lib/aarch64-linux-gnu")
  # qemu-aarch64 -L / -cpu <model>; HAWC_QEMU_CPU in the environment overrides
  # the model (the aarch64-nofp16 test preset uses cortex-a72).
  set(CMAKE_CROSSCOMPILING_EMULATOR "${HAWC_TOOLCHAIN_DIR}/qemu-aarch64.sh;${HAWC_QEMU_CPU}")
endif()

if(HAWC_TARGET_MCPU)
  set(CMAKE_C_FLAGS_INIT "-mcpu=${HAWC_TARGET_MCPU}")
  set(CMAKE_CXX_FLAGS_INIT "-mcpu=${HAWC_TARGET_MCPU}")
endif()
