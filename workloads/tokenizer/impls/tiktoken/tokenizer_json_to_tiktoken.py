"""Converts a Hugging Face byte-level BPE tokenizer.json into a tiktoken.Encoding, or says why it cannot.

tiktoken encodes a piece by merging the adjacent pair whose *concatenation* has the lowest rank, after
returning a piece that is a whole vocabulary token at once; HF merges the adjacent pair that comes first in
`merges` (and returns a whole-token piece at once only with `ignore_merges`). The two agree when every merge
makes its own token, token ids grow with merge order (ranks are the HF ids, or remapped when they do not),
and, without `ignore_merges`, HF's own merges turn every token's bytes back into that token. These are
checked here; whatever else could differ (a pair that concatenates to a token without being its merge) is
caught by the harness, which verifies every id before time counts.

Everything tiktoken has no equivalent for is refused with NotConvertible, whose message names it: a
normalizer, added tokens with single_word/lstrip/rstrip, added tokens that overlap (tiktoken matches them
with one regex alternation in no set order; HF matches special ones first, longest first), a pre-tokenizer
that is not one regex, BPE options (dropout, unk, prefixes, suffixes, byte fallback).
"""

import json

import tiktoken

# Oniguruma's spelling of the GPT-2 pattern, which a ByteLevel pre-tokenizer with use_regex applies.
GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


class NotConvertible(Exception):
    """The tokenizer.json uses something tiktoken cannot reproduce exactly; the message says what."""


def byte_level_alphabet():
    """GPT-2's printable stand-in for each byte (bytes_to_unicode): character -> byte value."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    stand_in = {b: chr(b) for b in printable}
    shifted = 0
    for b in range(256):
        if b not in stand_in:
            stand_in[b] = chr(256 + shifted)
            shifted += 1
    return {char: b for b, char in stand_in.items()}


def token_bytes(token, alphabet):
    try:
        return bytes(alphabet[char] for char in token)
    except KeyError as missing:
        raise NotConvertible(f"vocabulary token {token!r} is not byte-level: no byte for {missing.args[0]!r}") from None


def pattern_of(pre_tokenizer):
    """The one regex the pre-tokenizer splits with, before its ByteLevel step."""
    kind = (pre_tokenizer or {}).get("type")
    if kind == "ByteLevel" and pre_tokenizer.get("use_regex", True):
        byte_level, pattern = pre_tokenizer, GPT2_PATTERN
    elif kind == "Sequence" and len(pre_tokenizer.get("pretokenizers", [])) == 2:
        split, byte_level = pre_tokenizer["pretokenizers"]
        regex = split.get("pattern", {}).get("Regex") if split.get("type") == "Split" else None
        if regex is None or split.get("behavior") != "Isolated" or split.get("invert"):
            raise NotConvertible(
                "pre-tokenizer: the Sequence's first step is not a Split by one Regex, Isolated, not inverted"
            )
        if byte_level.get("type") != "ByteLevel" or byte_level.get("use_regex", True):
            raise NotConvertible("pre-tokenizer: the Sequence's second step is not ByteLevel without its own regex")
        pattern = regex
    elif kind == "ByteLevel":
        raise NotConvertible("pre-tokenizer: ByteLevel without a regex (use_regex=false) splits nothing")
    else:
        raise NotConvertible(f"pre-tokenizer {kind or 'null'} is not ByteLevel or Sequence[Split regex, ByteLevel]")
    if byte_level.get("add_prefix_space"):
        raise NotConvertible("pre-tokenizer: ByteLevel add_prefix_space=true (tiktoken adds no space)")
    return pattern


def special_tokens_of(added_tokens, vocab):
    """Added token content -> id; tiktoken splits them out of the text as HF does, given these conditions."""
    next_id = len(vocab)
    for token in added_tokens:
        if token["content"] in vocab:
            expected = vocab[token["content"]]
        else:
            expected, next_id = next_id, next_id + 1
        if token["id"] != expected:
            raise NotConvertible(
                f"added token {token['content']!r} has id {token['id']}, but HF gives it {expected} "
                "(the vocabulary's id, or the next after the vocabulary)"
            )
    for token in added_tokens:
        flags = [flag for flag in ("single_word", "lstrip", "rstrip") if token.get(flag)]
        if flags:
            raise NotConvertible(
                f"added token {token['content']!r} has {'/'.join(flags)}=true: tiktoken matches added tokens literally"
            )
    contents = [token["content"] for token in added_tokens]
    for a in contents:
        for b in contents:
            if a != b and (b in a or any(a.endswith(b[:k]) for k in range(1, len(b)))):
                raise NotConvertible(
                    f"added tokens {a!r} and {b!r} overlap: tiktoken's match order for them is not HF's"
                )
    return {token["content"]: token["id"] for token in added_tokens}


def merges_of(model):
    return [tuple(m) if isinstance(m, list) else tuple(m.split(" ", 1)) for m in model["merges"]]


def pair_bpe(word, merge_rank):
    """HF's merge order on a list of tokens: the adjacent pair first in `merges` merges first (leftmost)."""
    while len(word) > 1:
        ranked = [
            (merge_rank.get(pair, len(merge_rank)), i) for i, pair in enumerate(zip(word, word[1:], strict=False))
        ]
        rank, i = min(ranked)
        if rank == len(merge_rank):
            break
        word[i : i + 2] = [word[i] + word[i + 1]]
    return word


def ranks_of(model, added):
    """Token bytes -> rank (its HF id where ids follow merge order) and the rank -> HF id list when they do not."""
    for option in ("dropout", "unk_token", "continuing_subword_prefix", "end_of_word_suffix"):
        if model.get(option):
            raise NotConvertible(f"model option {option}={model[option]!r} has no tiktoken equivalent")
    if model.get("byte_fallback"):
        raise NotConvertible("model option byte_fallback=true has no tiktoken equivalent")
    alphabet = byte_level_alphabet()
    vocab = model["vocab"]
    merges = merges_of(model)
    made_by = {}
    for i, (a, b) in enumerate(merges):
        for part in (a, b, a + b):
            if part not in vocab:
                raise NotConvertible(f"merge {i} ({a!r} {b!r}) uses {part!r}, which is not in the vocabulary")
        if a + b in made_by:
            raise NotConvertible(
                f"merges {made_by[a + b]} and {i} both make {a + b!r}: tiktoken ranks tokens, not pairs"
            )
        made_by[a + b] = i
    missing = [hex(b) for char, b in alphabet.items() if char not in vocab]
    if missing:
        raise NotConvertible(f"the vocabulary lacks the byte tokens {', '.join(missing[:8])}")
    unmade = [token for token in vocab if len(token) > 1 and token not in made_by and token not in added]
    if unmade:
        raise NotConvertible(f"{len(unmade)} vocabulary tokens (first {unmade[0]!r}) are made by no merge")
    if not model.get("ignore_merges"):
        merge_rank = {pair: i for i, pair in enumerate(merges)}
        for token in made_by:
            if pair_bpe(list(token), merge_rank) != [token]:
                raise NotConvertible(
                    f"HF's merges do not make {token!r} from its own bytes, but tiktoken returns "
                    "a piece that is a whole token at once (HF does only with ignore_merges)"
                )
    ordered = [vocab[a + b] for a, b in merges]
    if all(x < y for x, y in zip(ordered, ordered[1:], strict=False)):  # a byte token's rank never decides a merge
        return {token_bytes(token, alphabet): id_ for token, id_ in vocab.items()}, None
    # Ids out of merge order: the bytes rank 0-255, merge i ranks 256 + i, and the output maps ranks back.
    ranks = {bytes([b]): b for b in range(256)}
    ranks.update({token_bytes(a + b, alphabet): 256 + i for i, (a, b) in enumerate(merges)})
    to_id = [vocab[char] for char in sorted(alphabet, key=alphabet.get)] + ordered
    return ranks, to_id


def load_encoding(path):
    """(tiktoken.Encoding, its rank -> HF id list, or None where the ranks are the HF ids) for a file.

    Raises OSError when it cannot be read, ValueError when it is not JSON, NotConvertible (one line) when
    tiktoken cannot reproduce it.
    """
    with open(path, "rb") as f:
        spec = json.load(f)
    if not isinstance(spec, dict) or not isinstance(spec.get("model"), dict):
        raise ValueError("not a tokenizer.json (no 'model' object)")
    if spec.get("normalizer"):
        raise NotConvertible(f"normalizer {spec['normalizer'].get('type')} has no tiktoken equivalent")
    model = spec["model"]
    if model.get("type") != "BPE":
        raise NotConvertible(f"model {model.get('type')} is not BPE")
    pattern = pattern_of(spec.get("pre_tokenizer"))
    special = special_tokens_of(spec.get("added_tokens", []), model["vocab"])
    ranks, to_id = ranks_of(model, added=set(special))
    if to_id is not None:
        # Added tokens get ranks past the vocabulary's and map back to their own ids.
        special = {content: len(to_id) + k for k, content in enumerate(special)}
        to_id += [token["id"] for token in spec.get("added_tokens", [])]
    elif any(content not in model["vocab"] and id_ in model["vocab"].values() for content, id_ in special.items()):
        raise NotConvertible("an added token's id is also another vocabulary token's id")
    try:
        encoding = tiktoken.Encoding("tokenizer.json", pat_str=pattern, mergeable_ranks=ranks, special_tokens=special)
    except ValueError as error:
        raise NotConvertible(f"tiktoken's regex engine rejects the pre-tokenizer's pattern: {error}") from None
    return encoding, to_id
