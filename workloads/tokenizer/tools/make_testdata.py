"""Makes the tokenizer workload's committed test data, offline, with the Hugging Face `tokenizers` package.

Why this file exists: the C++ reference must produce exactly HF's ids, so the truth has to come from HF
itself. This script trains two small byte-level BPE tokenizers (GPT-2 style and Llama-3 style) on text in
this repository, writes the test corpora (an adversarial one generated from a fixed seed, and a sample of
prose and code), and records HF's ids and HF's decoding of them as goldens. No hub access: everything is
trained here.

    .venv/bin/python workloads/tokenizer/tools/make_testdata.py           # rewrite everything
    .venv/bin/python workloads/tokenizer/tools/make_testdata.py --check   # re-derive goldens, compare

--check does not retrain: it loads the committed tokenizer.json files and corpora and checks that HF, as
installed, still gives the committed goldens (exit 1 with the first difference otherwise).
"""

import argparse
import pathlib
import random
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]
DATA = ROOT / "workloads" / "tokenizer" / "data"  # what this script writes and checks
STYLES = ("gpt2", "llama3")
CORPORA = ("adversarial", "sample")

LLAMA3_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)

# Fragments the adversarial corpus is built from: each one probes a place where a pre-tokenizer or a
# merge loop can go wrong.
FRAGMENTS = [
    # whitespace of every kind, runs and mixtures
    "a  b   c    d", "\t\tindented\t", "   ", " ", "\t", "trailing   ", "   leading", "a\u00a0b\u00a0\u00a0c",
    "x\u3000y\u3000\u3000z", "em\u2003space", "thin\u2009space", "nel\u0085here", "line\u2028sep", "cr\rhere",
    "crlf\r", "\r\r\r", "vt\x0bff\x0c", "zero\u200bwidth", "mongolian\u180evowel", " \t \u00a0 \r ",
    # contractions in mixed case, and look-alikes
    "I'm", "I'M", "don't", "DON'T", "we'll", "WE'LL", "you're", "YOU'RE", "they've", "THEY'VE", "she'd",
    "it's", "IT'S", "'s", "'S", "''", "'''s", "rock'n'roll", "y'all", "o'clock", "Mc'Donald's", "\u017f",
    "'\u017f", "it\u2019s", "'ll've'd", "'", " 'tis",
    # digits
    "0", "12", "123", "1234", "12345678901234567890", "3.14159", "1,000,000", "-42", "+7e-10", "0x1F",
    "\u0663\u0664\u0665", "\u2460\u2461\u2462", "\u216b", "\u00bd", "\uff11\uff12\uff13", "a1b2c3", "v2.0.1",
    # CJK, Japanese, Korean
    "\u6771\u4eac\u306f\u65e5\u672c\u306e\u9996\u90fd\u3067\u3059\u3002", "\u4e2d\u6587\u5206\u8bcd\u6d4b\u8bd5",
    "\u30ab\u30bf\u30ab\u30ca", "\ud55c\uad6d\uc5b4 \ubb38\uc7a5", "\u3001\u3002\u300c\u300d",
    # Arabic and Hebrew, with and without marks
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",
    "\u0643\u064e\u062a\u064e\u0628\u064e", "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd",
    # combining marks
    "e\u0301", "cafe\u0301", "a\u0308\u0304", "z\u0335\u0321\u032a\u0306a\u0336lgo", "\u0301\u0301start",
    "n\u0303o", "\u0915\u094d\u0937", "\u0e01\u0e34\u0e19",
    # emoji, joiners, modifiers, flags
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466", "\U0001f3f3\ufe0f\u200d\U0001f308",
    "\U0001f44d\U0001f3fd", "\U0001f1ef\U0001f1f5\U0001f1eb\U0001f1f7", "\u2764\ufe0f", "smile\U0001f600face",
    "\U0001f600\U0001f600\U0001f600", "#\ufe0f\u20e3",
    # punctuation and code
    "!!!", "?!", "...", "----", "->", "::", "==", "{}", "[]()", "<>", "`code`", "#include <vector>",
    "std::vector<int> v{1, 2, 3};", "x=y+z*2", "http://example.com/a?b=c&d=e", "foo@bar.baz", "snake_case",
    "CamelCase", "ALLCAPS", "__dunder__", "$100", "50%", "C++20", "\u00a9 2026", "\u2014dash\u2014",
    "\u00abguillemets\u00bb", "\u201cquoted\u201d",
    # special and added tokens inside text
    "<|endoftext|>", "hello<|endoftext|>world", " <|endoftext|> ", "<|endoftext|><|endoftext|>",
    "<|endoftext|", "<|endoftext", "|endoftext|>", "<|im_start|>", "say  <|im_start|>hi", "<|im_end|>  next",
    "claimbench", "xclaimbench", "claimbench_run", "claimbench!", " claimbench ", "Claimbench", "[[tool]]",
    "a[[tool]]b", "<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>user<|end_header_id|>",
    "<|eot_id|>", "text<|eot_id|>text", "<|reserved_special_token_0|>", "<|python_tag|>", "  <|python_tag|>  x",
]

LONG_RUNS = [
    "a" * 3000, "ab" * 1500, " " * 3000, "\t" * 1000, "1" * 2000, "!" * 2000, "\u00e9" * 1000,
    "\u4e2d" * 1000, "\U0001f600" * 500, "'s" * 800, "x" + " " * 1000 + "y", "\u0301" * 500,
    "supercalifragilisticexpialidocious" * 60,
]


def adversarial_corpus(seed):
    """Lines of the adversarial corpus: every fragment alone, the long runs, then seeded mixtures."""
    rng = random.Random(seed)
    lines = list(FRAGMENTS) + list(LONG_RUNS) + [""]
    joiners = ["", " ", "  ", "\t", "\u00a0", "-", "'"]
    for _ in range(400):
        parts = rng.choices(FRAGMENTS, k=rng.randint(2, 12))
        line = ""
        for part in parts:
            line += part + rng.choice(joiners)
        lines.append(line)
    return lines


def repository_text():
    """Prose and code from this repository: the text the tokenizers are trained on."""
    files = sorted(ROOT.glob("docs/*.md")) + [ROOT / "README.md"]
    files += sorted(ROOT.glob("harness/src/*.cc")) + sorted(ROOT.glob("harness/include/claimbench/*.h"))
    text = []
    for path in files:
        text.extend(path.read_text(encoding="utf-8").split("\n"))
    return text


def sample_corpus(train_lines, seed):
    """Documents that look like the training text: runs of consecutive lines joined by spaces."""
    rng = random.Random(seed)
    docs = []
    for _ in range(600):
        start = rng.randrange(len(train_lines))
        docs.append(" ".join(line.strip() for line in train_lines[start : start + rng.randint(1, 8)]))
    return docs


def build_tokenizer(style, train_lines):
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers, trainers

    if style == "gpt2":
        tokenizer = Tokenizer(models.BPE())
        tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
        specials = ["<|endoftext|>"]
        vocab_size = 3000
    else:
        tokenizer = Tokenizer(models.BPE(ignore_merges=True))
        tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
            [
                pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated", invert=False),
                pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
            ]
        )
        specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>",
                    "<|eot_id|>", "<|reserved_special_token_0|>"]
        vocab_size = 4000
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(train_lines + FRAGMENTS, trainer=trainer)
    # Added tokens with every flag, so that the goldens pin HF's matching rules down.
    if style == "gpt2":
        tokenizer.add_special_tokens(
            [
                AddedToken("<|im_start|>", lstrip=True, special=True, normalized=False),
                AddedToken("<|im_end|>", rstrip=True, special=True, normalized=False),
            ]
        )
        tokenizer.add_tokens(
            [
                AddedToken("claimbench", single_word=True, normalized=True, special=False),
                AddedToken("[[tool]]", normalized=False, special=False),
            ]
        )
    else:
        tokenizer.add_special_tokens(
            [AddedToken("<|python_tag|>", lstrip=True, rstrip=True, special=True, normalized=False)]
        )
    return tokenizer


def encode_lines(tokenizer, lines):
    encodings = tokenizer.encode_batch(lines, add_special_tokens=False)
    return [" ".join(map(str, e.ids)) for e in encodings]


def decode_lines(tokenizer, id_lines):
    return [tokenizer.decode([int(i) for i in ids.split()], skip_special_tokens=False) for ids in id_lines]


def write_lines(path, lines):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as out:
        for line in lines:
            assert "\n" not in line, path
            out.write(line + "\n")


def read_lines(path):
    data = path.read_bytes().decode("utf-8")
    lines = data.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def generate():
    train_lines = repository_text()
    write_lines(DATA / "train_text.txt", train_lines)
    write_lines(DATA / "corpora" / "adversarial.txt", adversarial_corpus(seed=20261121))
    write_lines(DATA / "corpora" / "sample.txt", sample_corpus(train_lines, seed=3))
    for style in STYLES:
        (DATA / style).mkdir(exist_ok=True)
        build_tokenizer(style, train_lines).save(str(DATA / style / "tokenizer.json"), pretty=True)
    return check(write=True)


def check(write=False):
    from tokenizers import Tokenizer

    failures = 0
    for style in STYLES:
        tokenizer = Tokenizer.from_file(str(DATA / style / "tokenizer.json"))
        for corpus in CORPORA:
            lines = read_lines(DATA / "corpora" / f"{corpus}.txt")
            ids = encode_lines(tokenizer, lines)
            decoded = decode_lines(tokenizer, ids)
            for kind, got in (("ids", ids), ("decoded", decoded)):
                path = DATA / style / f"{corpus}.{kind}"
                if write:
                    write_lines(path, got)
                    continue
                want = read_lines(path)
                if got != want:
                    pairs = enumerate(zip(got, want, strict=False))
                    bad = next((i for i, (a, b) in pairs if a != b), min(len(got), len(want)))
                    print(f"{path}: HF differs from the golden at line {bad + 1}", file=sys.stderr)
                    failures += 1
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="re-derive the goldens with HF and compare")
    args = parser.parse_args()
    sys.exit(check() if args.check else generate())


if __name__ == "__main__":
    main()
