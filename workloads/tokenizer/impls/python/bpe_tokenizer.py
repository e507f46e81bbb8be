"""The tokenizer workload (../SPEC.md) in plain Python: the "typical Python" BPE, as most Python code does it.

A GPT-2-style encoder: the `regex` package for the pre-tokenizer patterns (the standard library's `re` has
no \\p{L}), a dict of merge ranks, the classic "merge the lowest-ranked pair until none is left" loop, and a
dict caching each word's ids. It reads HF tokenizer.json files and follows HF's added-token rules so that
its ids can be checked against HF's; it ignores --threads (one thread, as typical Python code is).
"""

import argparse
import json
import os
import sys
import time

import regex

GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def mark(name):
    fd = os.environ.get("CLAIMBENCH_MARK_FD")
    if fd is not None:
        os.write(int(fd), f"{name} {time.monotonic_ns()}\n".encode())


def fail(message):
    print(f"bpe_tokenizer: {message}", file=sys.stderr)
    sys.exit(2)


def bytes_to_unicode():
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    mapping, extra = {}, 0
    for b in range(256):
        if b in printable:
            mapping[b] = chr(b)
        else:
            mapping[b] = chr(256 + extra)
            extra += 1
    return mapping


def compile_pattern(pattern):
    # HF's regexes are Oniguruma's, where \s is Unicode White_Space; say so explicitly for `regex`.
    return regex.compile(pattern.replace(r"\s", r"\p{White_Space}").replace(r"\S", r"\P{White_Space}"))


WHITE_SPACE = compile_pattern(r"\s")
WORD_CHAR = regex.compile(r"[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\u200c\u200d]")


class Tokenizer:
    def __init__(self, config):
        if config.get("normalizer") is not None:
            raise ValueError("normalizer is set; only byte-level BPE without a normalizer is supported")
        model = config["model"]
        if model.get("type", "BPE") != "BPE":
            raise ValueError(f"model.type {model['type']!r} is not supported")
        self.vocab = model["vocab"]
        self.ignore_merges = bool(model.get("ignore_merges"))
        self.ranks = {}
        for rank, merge in enumerate(model["merges"]):
            pair = tuple(merge.split(" ", 1)) if isinstance(merge, str) else tuple(merge)
            self.ranks[pair] = rank
        self.byte_chars = bytes_to_unicode()
        self.steps = []
        self._read_pre_tokenizer(config.get("pre_tokenizer"))
        self.added = sorted(config.get("added_tokens") or [], key=lambda t: -len(t["content"]))
        self.raw_added = self._matcher([t for t in self.added if not t.get("normalized", not t.get("special"))])
        self.normalized_added = self._matcher([t for t in self.added if t.get("normalized", not t.get("special"))])
        self.cache = {}

    def _read_pre_tokenizer(self, config):
        if config is None:
            raise ValueError("pre_tokenizer is null; a ByteLevel pre-tokenizer is required")
        kind = config["type"]
        if kind == "Sequence":
            for step in config["pretokenizers"]:
                self._read_pre_tokenizer(step)
        elif kind == "Split":
            pattern = config["pattern"]
            text = pattern["Regex"] if "Regex" in pattern else regex.escape(pattern["String"])
            if config.get("behavior") != "Isolated" or config.get("invert"):
                raise ValueError("only Split with behavior Isolated is supported")
            self.steps.append(("split", compile_pattern(text)))
        elif kind == "ByteLevel":
            self.steps.append(("byte_level", config.get("add_prefix_space", True),
                               compile_pattern(GPT2_PATTERN) if config.get("use_regex", True) else None))
        else:
            raise ValueError(f"pre-tokenizer {kind!r} is not supported")

    @staticmethod
    def _matcher(tokens):
        # Longest alternatives first: at any position the longest token wins (leftmost-longest).
        if not tokens:
            return None
        return regex.compile("|".join(regex.escape(t["content"]) for t in tokens)), {t["content"]: t for t in tokens}

    def _split_added(self, text, matcher):
        """HF's AddedVocabulary::find_matches: (text, token or None) pieces covering `text`."""
        if matcher is None:
            return [(text, None)]
        pattern, by_content = matcher
        pieces, start_offset = [], 0
        for match in pattern.finditer(text):
            token = by_content[match.group()]
            start, stop = match.span()
            if token.get("single_word"):
                joined_before = start > 0 and WORD_CHAR.match(text[start - 1])
                if joined_before or (stop < len(text) and WORD_CHAR.match(text[stop])):
                    continue
            if token.get("lstrip"):
                new_start = start
                while new_start > 0 and WHITE_SPACE.match(text[new_start - 1]):
                    new_start -= 1
                start = max(new_start, start_offset)
            if token.get("rstrip"):
                while stop < len(text) and WHITE_SPACE.match(text[stop]):
                    stop += 1
            if start_offset < start:
                pieces.append((text[start_offset:start], None))
            pieces.append((text[start:stop], token))
            start_offset = stop
        if start_offset < len(text):
            pieces.append((text[start_offset:], None))
        return pieces

    def _words(self, text):
        words = [text]
        for step in self.steps:
            if step[0] == "split":
                words = [w for word in words for w in self._isolate(step[1], word)]
            else:
                _, prefix_space, pattern = step
                if prefix_space:
                    words = [w if w.startswith(" ") else " " + w for w in words]
                if pattern is not None:
                    words = [w for word in words for w in self._isolate(pattern, word)]
        return words

    @staticmethod
    def _isolate(pattern, text):
        pieces, previous = [], 0
        for match in pattern.finditer(text):
            if match.start() > previous:
                pieces.append(text[previous:match.start()])
            if match.end() > match.start():
                pieces.append(match.group())
            previous = match.end()
        if previous < len(text):
            pieces.append(text[previous:])
        return pieces

    def _bpe(self, word):
        symbols = [self.byte_chars[b] for b in word.encode("utf-8")]
        if self.ignore_merges and "".join(symbols) in self.vocab:
            return [self.vocab["".join(symbols)]]
        while len(symbols) > 1:
            adjacent = zip(symbols, symbols[1:], strict=False)
            pairs = [(self.ranks[pair], i) for i, pair in enumerate(adjacent) if pair in self.ranks]
            if not pairs:
                break
            first, second = symbols[min(pairs)[1]], symbols[min(pairs)[1] + 1]
            merged, i = [], 0
            while i < len(symbols):
                if i + 1 < len(symbols) and symbols[i] == first and symbols[i + 1] == second:
                    merged.append(first + second)
                    i += 2
                else:
                    merged.append(symbols[i])
                    i += 1
            symbols = merged
        return [self.vocab[s] for s in symbols if s in self.vocab]

    def encode(self, text):
        ids = []
        for piece, token in self._split_added(text, self.raw_added):
            if token is not None:
                ids.append(token["id"])
                continue
            for sub, sub_token in self._split_added(piece, self.normalized_added):
                if sub_token is not None:
                    ids.append(sub_token["id"])
                    continue
                for word in self._words(sub):
                    cached = self.cache.get(word)
                    if cached is None:
                        cached = self.cache[word] = self._bpe(word)
                    ids.extend(cached)
        return ids


def main():
    parser = argparse.ArgumentParser(prog="bpe_tokenizer")
    parser.add_argument("command", choices=["encode"])
    parser.add_argument("--tokenizer", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--latency-out")
    args = parser.parse_args()
    try:
        with open(args.tokenizer, encoding="utf-8") as f:
            tokenizer = Tokenizer(json.load(f))
    except (OSError, ValueError, KeyError, TypeError) as error:
        fail(f"cannot load {args.tokenizer}: {error}")
    try:
        with open(args.input, "rb") as f:
            text = f.read().decode("utf-8")
    except OSError as error:
        fail(f"cannot read {args.input}: {error.strerror}")
    except UnicodeDecodeError:
        fail(f"{args.input}: invalid UTF-8; the input must be UTF-8 text")
    docs = text.split("\n")
    if docs and docs[-1] == "":
        docs.pop()
    mark("ready")
    latencies = []
    ids = []
    for doc in docs:
        start = time.perf_counter_ns()
        ids.append(tokenizer.encode(doc))
        latencies.append(time.perf_counter_ns() - start)
    mark("done")
    if args.latency_out:
        with open(args.latency_out, "w") as f:
            f.write("".join(f"{ns}\n" for ns in latencies))
    sys.stdout.write("".join(" ".join(map(str, line)) + "\n" for line in ids))


if __name__ == "__main__":
    main()
