package bpe

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// The parts of tokenizer.json this port reads. Pointers and RawMessage tell a missing or null field from
// a present one; encoding/json checks the types and names the field that has the wrong one.
type tokenizerFile struct {
	Normalizer   json.RawMessage   `json:"normalizer"`
	PreTokenizer *preTokenizerJSON `json:"pre_tokenizer"`
	Model        *modelJSON        `json:"model"`
	AddedTokens  []addedTokenJSON  `json:"added_tokens"`
	Decoder      *struct {
		Type string `json:"type"`
	} `json:"decoder"`
}

type modelJSON struct {
	Type                    *string            `json:"type"`
	Vocab                   *map[string]uint32 `json:"vocab"`
	Merges                  *[]json.RawMessage `json:"merges"`
	Dropout                 *float64           `json:"dropout"`
	UnkToken                *string            `json:"unk_token"`
	ContinuingSubwordPrefix *string            `json:"continuing_subword_prefix"`
	EndOfWordSuffix         *string            `json:"end_of_word_suffix"`
	FuseUnk                 *bool              `json:"fuse_unk"`
	ByteFallback            *bool              `json:"byte_fallback"`
	IgnoreMerges            *bool              `json:"ignore_merges"`
}

type preTokenizerJSON struct {
	Type           *string            `json:"type"`
	Pretokenizers  []preTokenizerJSON `json:"pretokenizers"`
	Pattern        *patternJSON       `json:"pattern"`
	Behavior       *string            `json:"behavior"`
	Invert         *bool              `json:"invert"`
	AddPrefixSpace *bool              `json:"add_prefix_space"`
	UseRegex       *bool              `json:"use_regex"`
}

type patternJSON struct {
	Regex  *string `json:"Regex"`
	String *string `json:"String"`
}

type addedTokenJSON struct {
	ID         *uint32 `json:"id"`
	Content    *string `json:"content"`
	SingleWord *bool   `json:"single_word"`
	Lstrip     *bool   `json:"lstrip"`
	Rstrip     *bool   `json:"rstrip"`
	Normalized *bool   `json:"normalized"`
	Special    *bool   `json:"special"`
}

// maxID bounds the vocabulary: a larger id is not a tokenizer, and the decoding table is sized by it.
const maxID = 1 << 24

// Parse checks and loads a tokenizer.json's text. Its errors name the field and say what would work (a
// command line exits 2 with them). Safe for concurrent use.
func Parse(data []byte) (*Tokenizer, error) {
	var file tokenizerFile
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, describeJSONError(err)
	}
	if len(file.Normalizer) > 0 && !bytes.Equal(file.Normalizer, []byte("null")) {
		return nil, errors.New("normalizer is set; this port implements byte-level BPE files without a normalizer (GPT-2, Llama-3 style)")
	}
	model, err := readModel(file.Model)
	if err != nil {
		return nil, err
	}
	if file.PreTokenizer == nil {
		return nil, errors.New("pre_tokenizer is null; this port needs a ByteLevel pre-tokenizer (byte-level BPE)")
	}
	var steps []preTokenizerStep
	if err := readPreTokenizer(file.PreTokenizer, "pre_tokenizer", &steps); err != nil {
		return nil, err
	}
	if len(steps) == 0 || !steps[len(steps)-1].byteLevel {
		return nil, errors.New("pre_tokenizer has no ByteLevel step; this port implements byte-level BPE only")
	}
	added, err := readAddedTokens(file.AddedTokens, *file.Model.Vocab)
	if err != nil {
		return nil, err
	}
	t := &Tokenizer{
		model:            model,
		preTokenizer:     preTokenizer{steps},
		added:            newAddedVocabulary(added),
		byteLevelDecoder: file.Decoder != nil && file.Decoder.Type == "ByteLevel",
	}
	// Decoding table: model tokens, then added tokens, which take precedence as in HF.
	size := 0
	for _, id := range *file.Model.Vocab {
		size = max(size, int(id)+1)
	}
	for _, a := range added {
		size = max(size, int(a.id)+1)
	}
	t.idBytes = make([][]byte, size)
	for token, id := range *file.Model.Vocab {
		t.setDecoding(id, token)
	}
	for _, a := range added {
		t.setDecoding(a.id, a.content)
	}
	return t, nil
}

// describeJSONError turns encoding/json's errors into one line naming the field.
func describeJSONError(err error) error {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntaxErr):
		return fmt.Errorf("not valid JSON at byte %d (%v): is this a tokenizer.json?", syntaxErr.Offset, syntaxErr)
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return fmt.Errorf("%s: found a JSON %s where %s is needed", typeErr.Field, typeErr.Value, describeGoType(typeErr.Type.String()))
	case errors.As(err, &typeErr):
		return fmt.Errorf("the top level must be a JSON object, not %s", typeErr.Value)
	}
	return fmt.Errorf("not valid JSON (%v): is this a tokenizer.json?", err)
}

func describeGoType(goType string) string {
	switch {
	case strings.Contains(goType, "uint32"):
		return "an id from 0 to 4294967295"
	case strings.Contains(goType, "bool"):
		return "true or false"
	case strings.Contains(goType, "string"):
		return "a string"
	case strings.Contains(goType, "map"), strings.Contains(goType, "struct"):
		return "an object"
	case strings.Contains(goType, "[]"):
		return "an array"
	}
	return goType
}

func orDefault(value *bool, defaultValue bool) bool {
	if value == nil {
		return defaultValue
	}
	return *value
}

func readModel(m *modelJSON) (*bpeModel, error) {
	if m == nil {
		return nil, errors.New("tokenizer.json has no 'model' object")
	}
	if m.Type != nil && *m.Type != "BPE" {
		return nil, fmt.Errorf("model.type %q is not supported: this port implements BPE only", *m.Type)
	}
	if m.Vocab == nil {
		return nil, errors.New("model has no 'vocab' object mapping tokens to ids")
	}
	if m.Merges == nil {
		return nil, errors.New(`model has no 'merges' array of "a b" strings or ["a", "b"] pairs`)
	}
	if m.Dropout != nil && *m.Dropout != 0 {
		return nil, errors.New("model.dropout is set: BPE dropout is random, so its ids cannot be reproduced; set it to null")
	}
	for name, value := range map[string]*string{"continuing_subword_prefix": m.ContinuingSubwordPrefix, "end_of_word_suffix": m.EndOfWordSuffix} {
		if value != nil && *value != "" {
			return nil, fmt.Errorf("model.%s is set; byte-level BPE files do not use it and this port does not support it", name)
		}
	}
	vocab := *m.Vocab
	for token, id := range vocab {
		if id >= maxID {
			return nil, fmt.Errorf("model.vocab[%q] is %d, too large an id for a vocabulary (at most %d)", token, id, maxID-1)
		}
	}
	merges := make([][2]string, len(*m.Merges))
	for i, raw := range *m.Merges {
		pair, err := readMerge(raw)
		if err != nil {
			return nil, fmt.Errorf("model.merges[%d] %v", i, err)
		}
		merges[i] = pair
	}
	options := bpeOptions{
		fuseUnk:      orDefault(m.FuseUnk, false),
		byteFallback: orDefault(m.ByteFallback, false),
		ignoreMerges: orDefault(m.IgnoreMerges, false),
	}
	if m.UnkToken != nil {
		id, ok := vocab[*m.UnkToken]
		if !ok {
			return nil, fmt.Errorf("model.unk_token %q is not in model.vocab", *m.UnkToken)
		}
		options.unkID, options.hasUnk = id, true
	}
	return newBPEModel(vocab, merges, options)
}

// readMerge reads a merge in either form: the legacy "a b" (the first space separates the sides) or
// ["a", "b"].
func readMerge(raw json.RawMessage) ([2]string, error) {
	var text string
	if json.Unmarshal(raw, &text) == nil {
		left, right, ok := strings.Cut(text, " ")
		if !ok {
			return [2]string{}, fmt.Errorf("(%q) is not two tokens separated by a space", text)
		}
		return [2]string{left, right}, nil
	}
	var pair []string
	if json.Unmarshal(raw, &pair) == nil && len(pair) == 2 {
		return [2]string{pair[0], pair[1]}, nil
	}
	return [2]string{}, errors.New(`must be "a b" or ["a", "b"]`)
}

func readPreTokenizer(p *preTokenizerJSON, where string, steps *[]preTokenizerStep) error {
	if p.Type == nil {
		return fmt.Errorf("%s has no 'type'", where)
	}
	if *p.Type == "Sequence" {
		if p.Pretokenizers == nil {
			return fmt.Errorf("%s has no 'pretokenizers' array", where)
		}
		for i := range p.Pretokenizers {
			if err := readPreTokenizer(&p.Pretokenizers[i], fmt.Sprintf("%s.pretokenizers[%d]", where, i), steps); err != nil {
				return err
			}
		}
		return nil
	}
	if n := len(*steps); n > 0 && (*steps)[n-1].byteLevel {
		return fmt.Errorf("%s follows a ByteLevel pre-tokenizer; this port needs ByteLevel last (as GPT-2 and Llama-3 files have it)", where)
	}
	switch *p.Type {
	case "ByteLevel":
		gpt2, _ := scannerFor(gpt2Pattern)
		*steps = append(*steps, preTokenizerStep{
			splitter: gpt2, behavior: isolated, byteLevel: true,
			addPrefixSpace: orDefault(p.AddPrefixSpace, true), useRegex: orDefault(p.UseRegex, true),
		})
		return nil
	case "Split":
		step, err := readSplit(p, where)
		if err != nil {
			return err
		}
		*steps = append(*steps, step)
		return nil
	}
	return fmt.Errorf("%s.type %q is not supported: this port implements byte-level BPE (ByteLevel, Split and Sequence pre-tokenizers)", where, *p.Type)
}

func readSplit(p *preTokenizerJSON, where string) (preTokenizerStep, error) {
	step := preTokenizerStep{invert: orDefault(p.Invert, false)}
	switch {
	case p.Pattern != nil && p.Pattern.Regex != nil:
		s, err := newSplitter(*p.Pattern.Regex)
		if err != nil {
			return step, fmt.Errorf("%s.pattern: %v", where, err)
		}
		step.splitter = s
	case p.Pattern != nil && p.Pattern.String != nil:
		step.splitter = literalSplitter{*p.Pattern.String}
	default:
		return step, fmt.Errorf(`%s.pattern must be {"Regex": ...} or {"String": ...}`, where)
	}
	if p.Behavior == nil {
		return step, fmt.Errorf("%s has no 'behavior'", where)
	}
	behavior, ok := splitBehaviors[*p.Behavior]
	if !ok {
		return step, fmt.Errorf("%s.behavior %q is not one of Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous", where, *p.Behavior)
	}
	step.behavior = behavior
	return step, nil
}

// readAddedTokens returns the added tokens in HF's order: special tokens first, then the others, each in
// file order. Their ids are those HF gives them when it loads the file (AddedVocabulary::add_tokens), the
// file's own in any consistent file: a token already known keeps its id; any other takes the vocabulary's
// size, or one more than the largest added id once that reaches it (HF warns when the file disagrees).
func readAddedTokens(entries []addedTokenJSON, vocab map[string]uint32) ([]addedToken, error) {
	var specials, others []addedToken
	ids := make(map[string]uint32) // content to id, as HF's added_tokens_map
	vocabSize, maxAdded := uint32(len(vocab)), uint32(0)
	for i, e := range entries {
		if e.ID == nil || e.Content == nil {
			return nil, fmt.Errorf("added_tokens[%d] needs an 'id' and a 'content'", i)
		}
		id, known := ids[*e.Content]
		if !known {
			id, known = vocab[*e.Content]
		}
		if !known {
			switch {
			case len(ids) == 0:
				id = vocabSize
			case maxAdded >= vocabSize || vocabSize == 0:
				id = maxAdded + 1
			default:
				id = vocabSize
			}
		}
		if id >= maxID {
			return nil, fmt.Errorf("added_tokens[%d] would have id %d, too large an id for a vocabulary (at most %d)", i, id, maxID-1)
		}
		ids[*e.Content] = id
		maxAdded = max(maxAdded, id)
		special := orDefault(e.Special, false)
		t := addedToken{
			id: id, content: *e.Content, singleWord: orDefault(e.SingleWord, false),
			lstrip: orDefault(e.Lstrip, false), rstrip: orDefault(e.Rstrip, false), normalized: orDefault(e.Normalized, !special),
		}
		if special {
			specials = append(specials, t)
		} else {
			others = append(others, t)
		}
	}
	return append(specials, others...), nil
}
