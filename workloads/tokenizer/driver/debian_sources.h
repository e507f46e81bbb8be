// Text the benchmark corpora read from files that Debian 12 packages ship, never from the tokenizers'
// training text. The central decision: a corpus is only worth comparing across machines if it is the same
// bytes everywhere, so the files are a fixed list (a manifest in data/, in the order they are read), each
// with its sha256 and the package that ships it, and a file that is missing or different stops the
// preparation with one line saying which file and which package to install, instead of quietly giving
// another corpus.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace claimbench::tokenizer_workload {

// One stream of a manifest: the texts of its files in manifest order. A `text` file is one text (its whole
// contents); a `mo` file (GNU gettext's compiled catalogue) gives one text per translated message, the
// catalogue's header entry left out and plural forms as separate texts.
struct SourceStream {
  std::string name;                // the manifest's stream column, e.g. "english", "de", "code"
  std::vector<std::string> texts;  // UTF-8 not checked here
};

// Reads `manifest` (lines `<sha256> <package>=<version> <text|mo> <stream> <path>`, `#` comments and blank
// lines ignored) and every file it lists, checking each file's sha256. Streams come back in the order
// of their first line. Throws SetupError naming the file, its package and what to do when the manifest is
// unreadable or malformed, a file is missing or unreadable, its sha256 differs, or a `mo` file is not a
// little-endian gettext catalogue. Thread-safe (no shared state).
std::vector<SourceStream> ReadDebianSources(const std::filesystem::path& manifest);

// The translations in a little-endian GNU gettext .mo catalogue, in the catalogue's order (sorted by
// message id), without the header entry (empty id); a translation holding plural forms (NUL-separated)
// gives one text per form, empty forms left out. `name` is for messages. Throws SetupError when `mo` is
// not such a catalogue or an entry points outside it. Pure; thread-safe.
std::vector<std::string> MoTranslations(std::string_view mo, std::string_view name);

// The SHA-256 of `data` as 64 lowercase hex digits. Pure; thread-safe.
std::string Sha256Hex(std::string_view data);

}  // namespace claimbench::tokenizer_workload
