// Loading a tokenizer.json (every field checked, errors naming it) and the encode and decode pipelines.
#include "tokenizer.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "byte_level.h"

namespace claimbench::tokenizer {
namespace {

using Json = nlohmann::json;

[[noreturn]] void Fail(const std::string& message) { throw TokenizerError(message); }

const Json& Field(const Json& object, const char* name, const std::string& where) {
  auto it = object.find(name);
  if (it == object.end()) Fail(where + " has no '" + name + "' field");
  return *it;
}

bool Flag(const Json& object, const char* name, bool default_value, const std::string& where) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return default_value;
  if (!it->is_boolean()) Fail(where + "." + name + " must be true or false");
  return it->get<bool>();
}

std::string Text(const Json& value, const std::string& where) {
  if (!value.is_string()) Fail(where + " must be a string");
  return value.get<std::string>();
}

uint32_t Id(const Json& value, const std::string& where) {
  if (!value.is_number_unsigned() || value.get<uint64_t>() > 0x7FFFFFFF) Fail(where + " must be an id (0..2^31-1)");
  return static_cast<uint32_t>(value.get<uint64_t>());
}

constexpr uint32_t kMaxIds = 1 << 24;  // a vocabulary this large is not a tokenizer, and bounds memory

std::vector<std::pair<std::string, std::string>> ReadMerges(const Json& merges) {
  if (!merges.is_array()) Fail("model.merges must be an array of \"a b\" strings or [\"a\", \"b\"] pairs");
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(merges.size());
  for (size_t i = 0; i < merges.size(); ++i) {
    const Json& merge = merges[i];
    std::string where = "model.merges[" + std::to_string(i) + "]";
    if (merge.is_string()) {
      // The legacy form "a b": the first space separates the two sides.
      std::string text = merge.get<std::string>();
      size_t space = text.find(' ');
      if (space == std::string::npos) Fail(where + " ('" + text + "') is not two tokens separated by a space");
      out.emplace_back(text.substr(0, space), text.substr(space + 1));
    } else if (merge.is_array() && merge.size() == 2) {
      out.emplace_back(Text(merge[0], where + "[0]"), Text(merge[1], where + "[1]"));
    } else {
      Fail(where + " must be \"a b\" or [\"a\", \"b\"]");
    }
  }
  return out;
}

SplitBehavior ReadBehavior(const Json& value, const std::string& where) {
  std::string name = Text(value, where);
  if (name == "Removed") return SplitBehavior::kRemoved;
  if (name == "Isolated") return SplitBehavior::kIsolated;
  if (name == "MergedWithPrevious") return SplitBehavior::kMergedWithPrevious;
  if (name == "MergedWithNext") return SplitBehavior::kMergedWithNext;
  if (name == "Contiguous") return SplitBehavior::kContiguous;
  Fail(where + " '" + name + "' is not one of Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous");
}

void ReadPreTokenizer(const Json& config, const std::string& where, std::vector<PreTokenizerStep>& steps) {
  if (!config.is_object()) Fail(where + " must be an object");
  std::string type = Text(Field(config, "type", where), where + ".type");
  if (type == "Sequence") {
    const Json& list = Field(config, "pretokenizers", where);
    if (!list.is_array()) Fail(where + ".pretokenizers must be an array");
    for (size_t i = 0; i < list.size(); ++i) {
      ReadPreTokenizer(list[i], where + ".pretokenizers[" + std::to_string(i) + "]", steps);
    }
    return;
  }
  if (!steps.empty() && steps.back().byte_level) {
    Fail(where + " follows a ByteLevel pre-tokenizer; this reference needs ByteLevel last (as GPT-2 and Llama-3 files have it)");
  }
  try {
    if (type == "ByteLevel") {
      PreTokenizerStep step{RegexSplitter(kGpt2Pattern)};
      step.byte_level = true;
      step.add_prefix_space = Flag(config, "add_prefix_space", true, where);
      step.use_regex = Flag(config, "use_regex", true, where);
      steps.push_back(std::move(step));
      return;
    }
    if (type == "Split") {
      const Json& pattern = Field(config, "pattern", where);
      std::string regex;
      if (pattern.is_object() && pattern.contains("Regex")) {
        regex = Text(pattern["Regex"], where + ".pattern.Regex");
      } else if (pattern.is_object() && pattern.contains("String")) {
        regex = QuoteLiteral(Text(pattern["String"], where + ".pattern.String"));
      } else {
        Fail(where + ".pattern must be {\"Regex\": ...} or {\"String\": ...}");
      }
      if (regex.empty()) regex = "(?!)";  // an empty literal matches nothing in HF
      PreTokenizerStep step{RegexSplitter(regex)};
      step.behavior = ReadBehavior(Field(config, "behavior", where), where + ".behavior");
      step.invert = Flag(config, "invert", false, where);
      steps.push_back(std::move(step));
      return;
    }
  } catch (const std::invalid_argument& error) {
    Fail(where + ": " + error.what());
  }
  Fail(where + ".type '" + type + "' is not supported: this reference implements byte-level BPE (ByteLevel, Split and Sequence pre-tokenizers)");
}

}  // namespace

Tokenizer Tokenizer::FromFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail("cannot read " + path.string() + ": check the path given to --tokenizer");
  std::stringstream buffer;
  buffer << in.rdbuf();
  try {
    return FromJson(buffer.str());
  } catch (const TokenizerError& error) {
    Fail(path.string() + ": " + error.what());
  }
}

Tokenizer Tokenizer::FromJson(std::string_view json_text) {
  Json root = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) Fail("not valid JSON (is this a tokenizer.json?)");
  if (!root.is_object()) Fail("the top level must be a JSON object");

  Tokenizer tokenizer;
  if (auto it = root.find("normalizer"); it != root.end() && !it->is_null()) {
    Fail("normalizer is set; this reference implements byte-level BPE files without a normalizer (GPT-2, Llama-3 style)");
  }

  // The model.
  const Json& model = Field(root, "model", "tokenizer.json");
  if (!model.is_object()) Fail("model must be an object");
  if (auto it = model.find("type"); it != model.end()) {
    std::string type = Text(*it, "model.type");
    if (type != "BPE") Fail("model.type '" + type + "' is not supported: this reference implements BPE only");
  }
  const Json& vocab_json = Field(model, "vocab", "model");
  if (!vocab_json.is_object()) Fail("model.vocab must be an object mapping tokens to ids");
  std::unordered_map<std::string, uint32_t> vocab;
  vocab.reserve(vocab_json.size());
  for (const auto& [token, id] : vocab_json.items()) vocab.emplace(token, Id(id, "model.vocab[\"" + token + "\"]"));
  std::vector<std::pair<std::string, std::string>> merges = ReadMerges(Field(model, "merges", "model"));

  if (auto it = model.find("dropout"); it != model.end() && !it->is_null() && !(it->is_number() && it->get<double>() == 0.0)) {
    Fail("model.dropout is set: BPE dropout is random, so its ids cannot be reproduced; set it to null");
  }
  for (const char* field : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    if (auto it = model.find(field); it != model.end() && !it->is_null() && !(it->is_string() && it->get<std::string>().empty())) {
      Fail(std::string("model.") + field + " is set; byte-level BPE files do not use it and this reference does not support it");
    }
  }
  BpeOptions options;
  if (auto it = model.find("unk_token"); it != model.end() && !it->is_null()) {
    std::string unk = Text(*it, "model.unk_token");
    auto found = vocab.find(unk);
    if (found == vocab.end()) Fail("model.unk_token '" + unk + "' is not in model.vocab");
    options.unk_id = found->second;
  }
  options.fuse_unk = Flag(model, "fuse_unk", false, "model");
  options.byte_fallback = Flag(model, "byte_fallback", false, "model");
  options.ignore_merges = Flag(model, "ignore_merges", false, "model");
  try {
    tokenizer.model_ = std::make_unique<BpeModel>(vocab, merges, options);
  } catch (const std::invalid_argument& error) {
    Fail(error.what());
  }

  // The pre-tokenizer chain, which must end in ByteLevel.
  const Json* pre = root.contains("pre_tokenizer") ? &root["pre_tokenizer"] : nullptr;
  if (pre == nullptr || pre->is_null()) Fail("pre_tokenizer is null; this reference needs a ByteLevel pre-tokenizer (byte-level BPE)");
  std::vector<PreTokenizerStep> steps;
  ReadPreTokenizer(*pre, "pre_tokenizer", steps);
  if (steps.empty() || !steps.back().byte_level) {
    Fail("pre_tokenizer has no ByteLevel step; this reference implements byte-level BPE only");
  }
  tokenizer.pre_tokenizer_ = PreTokenizer(std::move(steps));

  // Decoding table: model tokens, then added tokens (which take precedence, as in HF).
  std::vector<std::pair<uint32_t, std::string>> names;
  names.reserve(vocab.size());
  for (const auto& [token, id] : vocab) names.emplace_back(id, token);
  std::vector<AddedToken> added;
  if (auto it = root.find("added_tokens"); it != root.end() && !it->is_null()) {
    if (!it->is_array()) Fail("added_tokens must be an array");
    std::vector<AddedToken> specials, others;
    for (size_t i = 0; i < it->size(); ++i) {
      const Json& entry = (*it)[i];
      std::string where = "added_tokens[" + std::to_string(i) + "]";
      if (!entry.is_object()) Fail(where + " must be an object");
      AddedToken token;
      token.id = Id(Field(entry, "id", where), where + ".id");
      token.content = Text(Field(entry, "content", where), where + ".content");
      token.single_word = Flag(entry, "single_word", false, where);
      token.lstrip = Flag(entry, "lstrip", false, where);
      token.rstrip = Flag(entry, "rstrip", false, where);
      token.special = Flag(entry, "special", false, where);
      token.normalized = Flag(entry, "normalized", !token.special, where);
      names.emplace_back(token.id, token.content);
      (token.special ? specials : others).push_back(std::move(token));
    }
    added = std::move(specials);
    added.insert(added.end(), others.begin(), others.end());
  }
  tokenizer.added_ = AddedVocabulary(std::move(added));

  uint32_t max_id = 0;
  for (const auto& [id, name] : names) max_id = std::max(max_id, id);
  if (max_id >= kMaxIds) Fail("an id of " + std::to_string(max_id) + " is too large for a vocabulary");
  tokenizer.id_bytes_.assign(names.empty() ? 0 : max_id + 1, {});
  tokenizer.id_known_.assign(tokenizer.id_bytes_.size(), false);
  for (size_t i = 0; i < names.size(); ++i) {
    const auto& [id, name] = names[i];
    // HF's ByteLevel decoder: a token whose characters are all in the byte alphabet stands for those
    // bytes; any other token is its own UTF-8 text.
    std::optional<std::string> bytes = ByteLevelToBytes(name);
    tokenizer.id_bytes_[id] = bytes ? *bytes : name;
    tokenizer.id_known_[id] = true;
  }

  if (auto it = root.find("decoder"); it != root.end() && it->is_object()) {
    tokenizer.byte_level_decoder_ = it->value("type", "") == "ByteLevel";
  }
  return tokenizer;
}

void Tokenizer::Encode(std::string_view text, WordCache& cache, std::vector<uint32_t>& ids) const {
  thread_local std::vector<Segment> segments;
  thread_local std::vector<std::string_view> words;
  thread_local std::deque<std::string> storage;
  thread_local std::vector<uint32_t> word_ids;
  storage.clear();
  added_.Split(text, segments);
  for (const Segment& segment : segments) {
    if (segment.is_token) {
      ids.push_back(segment.id);
      continue;
    }
    pre_tokenizer_.Split(text.substr(segment.span.begin, segment.span.end - segment.span.begin), words, storage);
    for (std::string_view word : words) {
      if (model_->EncodeSingleByte(word, ids)) continue;
      std::span<const uint32_t> cached = cache.Find(word);
      if (!cached.empty()) {
        for (uint32_t id : cached) ids.push_back(id);  // one to a few ids: cheaper than a range insert
        continue;
      }
      word_ids.clear();
      model_->EncodeWord(word, word_ids);
      cache.Insert(word, word_ids);
      ids.insert(ids.end(), word_ids.begin(), word_ids.end());
    }
  }
}

std::string Tokenizer::Decode(std::span<const uint32_t> ids) const {
  if (!byte_level_decoder_) Fail("decoder is not ByteLevel; this reference decodes byte-level BPE only");
  std::string bytes;
  for (uint32_t id : ids) {
    if (id < id_known_.size() && id_known_[id]) bytes += id_bytes_[id];
  }
  return Utf8Lossy(bytes);
}

}  // namespace claimbench::tokenizer
