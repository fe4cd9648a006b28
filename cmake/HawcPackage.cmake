# CPack: a Debian development package of what `cmake --install` installs
# (static or shared libhawc, include/hawc/hawc.h, lib/cmake/hawc and
# lib/pkgconfig/hawc.pc), under /usr:
#   cpack --config <build>/CPackConfig.cmake   ->  libhawc-dev_<version>_<arch>.deb
# The architecture is the target's (arm64 for the aarch64 presets, amd64 for
# the host ones), not the build machine's. tests/package/run.sh builds it,
# extracts it and builds tests/consumer against it.
set(HAWC_PACKAGE_MAINTAINER "hawc maintainers" CACHE STRING "Maintainer field of the .deb")

if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set(HAWC_DEB_ARCHITECTURE arm64)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(HAWC_DEB_ARCHITECTURE amd64)
else()
  execute_process(COMMAND dpkg --print-architecture OUTPUT_VARIABLE HAWC_DEB_ARCHITECTURE
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME libhawc-dev)
set(CPACK_PACKAGE_VENDOR hawc)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION} (development files)")
set(CPACK_PACKAGE_DESCRIPTION
    "FP16 Winograd F(2x2|4x4|6x6, 3x3) convolution with a C API: library, header hawc/hawc.h, CMake package (find_package(hawc)) and pkg-config file (hawc.pc).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # <name>_<version>-<release>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${HAWC_DEB_ARCHITECTURE})
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${HAWC_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
# A static libhawc is C++ using OpenMP: its users link the C++ runtime and
# libgomp (hawcConfig.cmake and hawc.pc ask for both).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libstdc++6")
if(HAWC_OPENMP)
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libgomp1")
endif()
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "")
set(CPACK_STRIP_FILES OFF)
include(CPack)
