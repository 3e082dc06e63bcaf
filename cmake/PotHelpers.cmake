# Helpers shared by every target: warnings, one function per tool and per test.

# Warnings are an INTERFACE target so no global flags leak into dependencies.
add_library(pot_warnings INTERFACE)
add_library(pot::warnings ALIAS pot_warnings)
target_compile_options(pot_warnings INTERFACE -Wall -Wextra -Wpedantic -Wno-unused-parameter)

# Tools are installed into one directory so scripts and CLI tests find them.
set(POT_TOOL_DIR "${CMAKE_BINARY_DIR}/bin")

# pot_add_tool(NAME src... LIBS lib...): one binary, CLI wiring only.
function(pot_add_tool name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} pot::warnings)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${POT_TOOL_DIR}")
  install(TARGETS ${name} RUNTIME DESTINATION bin)
  # For the pot-tools target (tools/CMakeLists.txt): what a devnet runs.
  set_property(GLOBAL APPEND PROPERTY POT_TOOLS ${name})
endfunction()

# pot_add_test(NAME src... LIBS lib...): one GoogleTest binary per module.
function(pot_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest_main pot::warnings)
  target_compile_definitions(${name} PRIVATE
    POT_TOOL_DIR="${POT_TOOL_DIR}" POT_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  # One label, "unit" or "unit-<area>": ctest -L takes a regex, so both
  # -L unit and -L <area> select it (list-valued labels do not survive
  # gtest_discover_tests' PROPERTIES forwarding).
  set(labels unit)
  if(ARG_LABELS)
    set(labels "unit-${ARG_LABELS}")
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${labels}" ENVIRONMENT "POT_TOOL_DIR=${POT_TOOL_DIR}")
endfunction()

# pot_add_cli_test(NAME script): a shell pipeline of real binaries.
function(pot_add_cli_test name script)
  cmake_parse_arguments(ARG "" "TIMEOUT" "LABELS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  add_test(NAME cli.${name}
    COMMAND bash "${PROJECT_SOURCE_DIR}/tests/cli/${script}")
  set_tests_properties(cli.${name} PROPERTIES
    LABELS "cli;${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "POT_TOOL_DIR=${POT_TOOL_DIR};POT_SOURCE_DIR=${PROJECT_SOURCE_DIR};POT_TESTDATA=${PROJECT_SOURCE_DIR}/tests/testdata")
endfunction()
