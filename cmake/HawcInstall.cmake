# cmake --install: headers, library, hawcConfig.cmake (+ version) and hawc.pc.
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
