// The install cases' answers: which distributions a virtual environment holds after the install, read from
// its site-packages (each NAME-VERSION.dist-info folder), and whether every file their RECORDs list is there
// with the size recorded. The expected set is the requirements file's pins plus the environment's own pip.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace claimbench::devtools_workload {

// Distribution name -> version. Names are normalised (PEP 503: lower case, runs of '-', '_' and '.' as '_').
using Distributions = std::map<std::string, std::string>;

std::string NormaliseName(std::string_view name);

// The NAME==VERSION lines of a requirements file (comments and blank lines skipped). Throws SetupError naming
// the file and line for anything else: the install cases install exact pins only.
Distributions ReadPinnedRequirements(const std::filesystem::path& file);

// The environment's site-packages folder (lib/python*/site-packages). Throws SetupError when there is none.
std::filesystem::path SitePackages(const std::filesystem::path& venv);

// The distributions installed in `site_packages`, from their .dist-info folders' names. Throws SetupError
// for a .dist-info folder whose name is not NAME-VERSION.dist-info.
Distributions InstalledDistributions(const std::filesystem::path& site_packages);

// Empty when `installed` equals `expected` and every file each RECORD lists exists (relative to
// `site_packages`) with the size it records, else one line naming the first difference.
std::string CheckInstalled(const Distributions& expected, const Distributions& installed,
                           const std::filesystem::path& site_packages);

}  // namespace claimbench::devtools_workload
