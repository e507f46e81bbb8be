# libFuzzer targets for every workload.
#
#   claimbench_add_fuzzer(NAME SOURCES src... [LIBS lib...] [DEFINITIONS def...] [SEEDS dir])
#
# SOURCES define LLVMFuzzerTestOneInput. Two builds use them:
#   - CLAIMBENCH_FUZZ=ON (the `fuzz` preset, clang only): a real libFuzzer binary, linked with
#     -fsanitize=fuzzer; the preset compiles everything with -fsanitize=fuzzer-no-link,address,undefined.
#     Run one with `./claimbench fuzz NAME --seconds N`; it writes build/fuzz/fuzzers/NAME.seeds so the
#     script knows the seed directory.
#   - otherwise (gcc, the release and asan builds): NAME_replay, the same sources with a small main
#     (cmake/claimbench_fuzz_replay_main.cc) that feeds every file under SEEDS to LLVMFuzzerTestOneInput,
#     registered as the ctest NAME_seeds, so a fuzz target cannot rot where clang is not installed.
option(CLAIMBENCH_FUZZ "Build the libFuzzer targets (clang only; use the fuzz preset)" OFF)
if(CLAIMBENCH_FUZZ AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR
    "CLAIMBENCH_FUZZ=ON needs clang with libFuzzer (compiler here: ${CMAKE_CXX_COMPILER_ID}). Install it with "
    "`setup/install.sh setup/fuzz-packages.txt` (clang-14, libfuzzer-14-dev, libclang-rt-14-dev), then "
    "configure with `cmake --preset fuzz` (or run `./claimbench fuzz TARGET`).")
endif()

set(CLAIMBENCH_FUZZ_REPLAY_MAIN "${CMAKE_CURRENT_LIST_DIR}/claimbench_fuzz_replay_main.cc")

function(claimbench_add_fuzzer name)
  cmake_parse_arguments(ARG "" "SEEDS" "SOURCES;LIBS;DEFINITIONS" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "claimbench_add_fuzzer(${name}): SOURCES is required")
  endif()
  if(ARG_SEEDS AND NOT IS_ABSOLUTE "${ARG_SEEDS}")
    set(ARG_SEEDS "${CMAKE_CURRENT_SOURCE_DIR}/${ARG_SEEDS}")
  endif()
  if(CLAIMBENCH_FUZZ)
    add_executable(${name} ${ARG_SOURCES})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(${name} PRIVATE ${ARG_LIBS})
    target_compile_definitions(${name} PRIVATE ${ARG_DEFINITIONS})
    file(WRITE "${CMAKE_BINARY_DIR}/fuzzers/${name}.seeds" "${ARG_SEEDS}\n")
  elseif(CLAIMBENCH_BUILD_TESTS)
    add_executable(${name}_replay ${ARG_SOURCES} ${CLAIMBENCH_FUZZ_REPLAY_MAIN})
    target_link_libraries(${name}_replay PRIVATE ${ARG_LIBS})
    target_compile_definitions(${name}_replay PRIVATE ${ARG_DEFINITIONS})
    if(ARG_SEEDS)
      add_test(NAME ${name}_seeds COMMAND ${name}_replay "${ARG_SEEDS}")
      set_tests_properties(${name}_seeds PROPERTIES LABELS "unit;fuzz" TIMEOUT 120)
    endif()
  endif()
endfunction()
