// What a program file needs from the system at run time, read from the file itself.
//
// Design: the dependencies of a built artifact are read from its ELF headers (the PT_INTERP program header
// names the dynamic loader, the dynamic section's DT_NEEDED entries the shared libraries it loads), not by
// running `ldd`, which executes the loader on the file and reports the libraries of this machine's
// resolution rather than what the file asks for. Only direct needs are listed: what a person must install
// to run the file is those libraries' packages, and each package brings its own dependencies. A script
// names its interpreter on its `#!` line; that interpreter is its runtime.
//
// Thread-safety: pure functions of the file's bytes; safe to call from several threads.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace claimbench {

struct ProgramDependencies {
  enum class Kind { kElf, kScript, kOther };
  Kind kind = Kind::kOther;
  bool executable_for_this_machine = false;  // ELF: an executable (ET_EXEC, or ET_DYN with an entry point)
                                             // for this machine's architecture, byte order and word size
  std::string interpreter;                   // ELF: PT_INTERP (the dynamic loader; empty for a static
                                             // executable); script: the #! line's program and its argument
  std::vector<std::string> needed;           // ELF: DT_NEEDED, in the file's order (empty when static)
  std::vector<std::string> runpath;          // ELF: DT_RUNPATH, else DT_RPATH, split at ':'
};

// Reads `path`'s dependencies. A file that is neither ELF nor a #! script gives kind kOther and nothing
// else. Throws SetupError naming the file when it cannot be read, or when it starts like ELF but its
// headers point outside the file (truncated or corrupt).
ProgramDependencies ReadProgramDependencies(const std::filesystem::path& path);

// True for what every glibc Linux system has once it has the C library: glibc's own libraries (libc,
// libm, libpthread, libdl, librt, libutil, libresolv, libanl), the dynamic loader (ld-linux*), and
// libgcc_s.so.1, which glibc itself needs for unwinding (Debian's libc6 depends on libgcc-s1). `name` is
// a DT_NEEDED entry or a loader path; only its file name is looked at.
bool IsCRuntimeLibrary(std::string_view name);

}  // namespace claimbench
