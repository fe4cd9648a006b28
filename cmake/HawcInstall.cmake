# cmake --install: headers, library, hawcConfig.cmake (+ version) and hawc.pc.
# On Debian the library directory is lib/<multiarch triplet> (for example
# lib/aarch64-linux-gnu), where dpkg, the cross toolchains and find_package
# look for an arm64 library installed next to an amd64 one; GNUInstallDirs
# does this itself only for the prefix /usr, and the .deb (HawcPackage.cmake)
# reuses the build's install rules under /usr. -DCMAKE_INSTALL_LIBDIR=lib
# overrides it.
if(NOT DEFINED CMAKE_INSTALL_LIBDIR AND CMAKE_LIBRARY_ARCHITECTURE AND EXISTS /etc/debian_version)
  set(CMAKE_INSTALL_LIBDIR "lib/${CMAKE_LIBRARY_ARCHITECTURE}"
      CACHE PATH "Object code libraries (lib/<multiarch triplet> on Debian)")
endif()
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS hawc EXPORT hawcTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/hawc DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT hawcTargets NAMESPACE hawc:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hawc)

if(HAWC_OPENMP AND NOT BUILD_SHARED_LIBS)
  set(HAWC_CONFIG_NEEDS_OPENMP ON)
else()
  set(HAWC_CONFIG_NEEDS_OPENMP OFF)
endif()
configure_package_config_file(cmake/hawcConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/hawcConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hawc)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/hawcConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/hawcConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/hawcConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hawc)

# A static libhawc needs the C++ runtime and OpenMP from whoever links it.
set(HAWC_PC_LIBS_PRIVATE "-lstdc++")
if(HAWC_OPENMP)
  string(APPEND HAWC_PC_LIBS_PRIVATE " -fopenmp")
endif()
if(NOT BUILD_SHARED_LIBS)
  set(HAWC_PC_LIBS "-lhawc ${HAWC_PC_LIBS_PRIVATE}")
else()
  set(HAWC_PC_LIBS "-lhawc")
endif()
# Relocatable: the prefix is found relative to the installed hawc.pc.
file(RELATIVE_PATH HAWC_PC_PREFIX "/root/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/root")
string(REGEX REPLACE "/$" "" HAWC_PC_PREFIX "${HAWC_PC_PREFIX}")
configure_file(cmake/hawc.pc.in ${CMAKE_CURRENT_BINARY_DIR}/hawc.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/hawc.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
