#include "claimbench/elf_dependencies.h"

#include <elf.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "claimbench/error.h"
#include "claimbench/file_contents.h"

namespace claimbench {
namespace {

namespace fs = std::filesystem;

#if defined(__x86_64__)
constexpr uint16_t kThisMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr uint16_t kThisMachine = EM_AARCH64;
#elif defined(__i386__)
constexpr uint16_t kThisMachine = EM_386;
#else
constexpr uint16_t kThisMachine = EM_NONE;  // unknown here: no file counts as this machine's
#endif
constexpr unsigned char kThisClass = sizeof(void*) == 8 ? ELFCLASS64 : ELFCLASS32;
constexpr unsigned char kThisByteOrder =
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;

// A bounds-checked view of the file: every read names what it was reading when it falls outside.
class FileBytes {
 public:
  FileBytes(const std::string& bytes, const fs::path& path) : bytes_(bytes), path_(path) {}

  template <typename T>
  T Read(uint64_t offset, std::string_view what) const {
    Check(offset, sizeof(T), what);
    T value;
    std::memcpy(&value, bytes_.data() + offset, sizeof(T));
    return value;
  }

  // The NUL-terminated string at `offset`, which must end before `limit`.
  std::string String(uint64_t offset, uint64_t limit, std::string_view what) const {
    limit = std::min<uint64_t>(limit, bytes_.size());
    if (offset >= limit) Corrupt(what);
    const char* start = bytes_.data() + offset;
    const void* end = std::memchr(start, '\0', limit - offset);
    if (end == nullptr) Corrupt(what);
    return std::string(start, static_cast<const char*>(end));
  }

  void Check(uint64_t offset, uint64_t size, std::string_view what) const {
    if (offset > bytes_.size() || size > bytes_.size() - offset) Corrupt(what);
  }

  [[noreturn]] void Corrupt(std::string_view what) const {
    throw SetupError(fmt::format("{}: not a readable ELF file: its {} lies outside the file "
                                 "(truncated or corrupt)",
                                 path_.string(), what));
  }

 private:
  const std::string& bytes_;
  const fs::path& path_;
};

template <typename Ehdr, typename Phdr, typename Dyn>
void ReadElf(const FileBytes& file, ProgramDependencies& out) {
  const Ehdr header = file.Read<Ehdr>(0, "ELF header");
  out.executable_for_this_machine =
      header.e_ident[EI_CLASS] == kThisClass && header.e_machine == kThisMachine &&
      (header.e_type == ET_EXEC || (header.e_type == ET_DYN && header.e_entry != 0));
  if (header.e_phentsize != sizeof(Phdr) && header.e_phnum > 0) file.Corrupt("program header size");
  std::vector<Phdr> segments;
  for (uint64_t i = 0; i < header.e_phnum; ++i) {
    segments.push_back(file.Read<Phdr>(header.e_phoff + i * sizeof(Phdr), "program header table"));
  }
  // Dynamic entries hold virtual addresses; the loadable segments map them back to file offsets.
  auto file_offset = [&](uint64_t address) -> std::optional<uint64_t> {
    for (const Phdr& s : segments) {
      if (s.p_type == PT_LOAD && address >= s.p_vaddr && address - s.p_vaddr < s.p_filesz) {
        return s.p_offset + (address - s.p_vaddr);
      }
    }
    return std::nullopt;
  };
  std::optional<Phdr> dynamic;
  for (const Phdr& s : segments) {
    if (s.p_type == PT_INTERP) {
      out.interpreter = file.String(s.p_offset, s.p_offset + s.p_filesz, "PT_INTERP");
    }
    if (s.p_type == PT_DYNAMIC) dynamic = s;
  }
  if (!dynamic) return;
  file.Check(dynamic->p_offset, dynamic->p_filesz, "dynamic section");
  std::vector<uint64_t> needed_offsets;
  std::optional<uint64_t> runpath, rpath, strtab, strtab_size;
  for (uint64_t at = dynamic->p_offset; at + sizeof(Dyn) <= dynamic->p_offset + dynamic->p_filesz;
       at += sizeof(Dyn)) {
    const Dyn entry = file.Read<Dyn>(at, "dynamic section");
    if (entry.d_tag == DT_NULL) break;
    if (entry.d_tag == DT_NEEDED) needed_offsets.push_back(entry.d_un.d_val);
    if (entry.d_tag == DT_RUNPATH) runpath = entry.d_un.d_val;
    if (entry.d_tag == DT_RPATH) rpath = entry.d_un.d_val;
    if (entry.d_tag == DT_STRTAB) strtab = file_offset(entry.d_un.d_ptr);
    if (entry.d_tag == DT_STRSZ) strtab_size = entry.d_un.d_val;
  }
  if (needed_offsets.empty() && !runpath && !rpath) return;
  if (!strtab || !strtab_size) file.Corrupt("dynamic string table");
  file.Check(*strtab, *strtab_size, "dynamic string table");
  auto string_at = [&](uint64_t offset) {
    if (offset >= *strtab_size) file.Corrupt("dynamic string table entry");
    return file.String(*strtab + offset, *strtab + *strtab_size, "dynamic string table entry");
  };
  for (uint64_t offset : needed_offsets) out.needed.push_back(string_at(offset));
  if (std::optional<uint64_t> path = runpath ? runpath : rpath) {
    std::stringstream dirs(string_at(*path));
    for (std::string dir; std::getline(dirs, dir, ':');) {
      if (!dir.empty()) out.runpath.push_back(dir);
    }
  }
}

}  // namespace

ProgramDependencies ReadProgramDependencies(const fs::path& path) {
  const std::string bytes = ReadWholeFile(path);
  ProgramDependencies out;
  if (bytes.starts_with("#!")) {
    out.kind = ProgramDependencies::Kind::kScript;
    const size_t end = bytes.find('\n');
    const std::string line = bytes.substr(2, end == std::string::npos ? std::string::npos : end - 2);
    const size_t first = line.find_first_not_of(" \t");
    const size_t last = line.find_last_not_of(" \t\r");
    out.interpreter = first == std::string::npos ? "" : line.substr(first, last - first + 1);
    return out;
  }
  if (!bytes.starts_with(ELFMAG)) return out;
  out.kind = ProgramDependencies::Kind::kElf;
  const FileBytes file(bytes, path);
  if (bytes.size() < EI_NIDENT || bytes[EI_DATA] != kThisByteOrder) return out;  // another machine's file
  if (bytes[EI_CLASS] == ELFCLASS64) {
    ReadElf<Elf64_Ehdr, Elf64_Phdr, Elf64_Dyn>(file, out);
  } else if (bytes[EI_CLASS] == ELFCLASS32) {
    ReadElf<Elf32_Ehdr, Elf32_Phdr, Elf32_Dyn>(file, out);
  }
  return out;
}

bool IsCRuntimeLibrary(std::string_view name) {
  const size_t slash = name.rfind('/');
  const std::string_view file = name.substr(slash == std::string_view::npos ? 0 : slash + 1);
  if (file.starts_with("ld-linux") || file == "ld64.so.2" || file == "ld.so.1" || file == "libgcc_s.so.1") {
    return true;
  }
  static constexpr std::string_view kGlibc[] = {"libc.so.", "libm.so.", "libpthread.so.", "libdl.so.",
                                                "librt.so.", "libutil.so.", "libresolv.so.", "libanl.so."};
  return std::any_of(std::begin(kGlibc), std::end(kGlibc),
                     [&](std::string_view prefix) { return file.starts_with(prefix); });
}

}  // namespace claimbench
