# claimbench_add_test(NAME [SERIAL] SOURCES... [LABELS label...] [LIBS lib...])
# One GoogleTest executable per component, discovered into ctest. Tests labelled "slow" stay out of the
# quick run (ctest -LE slow) but `./claimbench test` runs them.
function(claimbench_add_test name)
  cmake_parse_arguments(ARG "SERIAL" "" "SOURCES;LABELS;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE claimbench::harness GTest::gtest GTest::gtest_main ${ARG_LIBS})
  # SERIAL: the test times things (latency, stalls), so it runs alone rather than beside other tests.
  set(serial FALSE)
  if(ARG_SERIAL)
    set(serial TRUE)
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "unit;${ARG_LABELS}" RUN_SERIAL ${serial})
endfunction()
