# One static library per area of src/, linked only along the arrows of DESIGN.md §3.
# scripts/check_layers.py (run by ctest) fails the build when an #include crosses them.
function(sh_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SRCS})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# A GoogleTest binary registered with ctest under the given labels.
function(sh_test name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name} PRIVATE
    STRIPEHOOK_FIXTURES_DIR="${STRIPEHOOK_FIXTURES_DIR}"
    STRIPEHOOK_BINARY_DIR="${PROJECT_BINARY_DIR}"
    STRIPEHOOK_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT 600)
  # `sh_unit_tests` builds every unit test binary and nothing else: the sanitizer tree runs the
  # unit label without building the integration suites (Makefile, test-san-unit).
  if("unit" IN_LIST ARG_LABELS)
    if(NOT TARGET sh_unit_tests)
      add_custom_target(sh_unit_tests)
    endif()
    add_dependencies(sh_unit_tests ${name})
  endif()
endfunction()
