package readstates

import (
	"bytes"
	"encoding/binary"
	"testing"
)

func TestInitialStateKnownAnswers(t *testing.T) {
	if got := SplitMix64(0); got != 0xE220A8397B1DCDAF {
		t.Errorf("SplitMix64(0) = %#x", got)
	}
	if got := InitialState(Key{5, 3}); got != (State{699533833993, 7}) {
		t.Errorf("initial state of (5, 3) = %+v, want {699533833993 7}", got)
	}
}

func TestKeyIndexBoundsTheKeySpace(t *testing.T) {
	const keys = 40 // users 0, 1 whole; user 2 channels 0..7
	cases := []struct {
		key  Key
		want uint64
		ok   bool
	}{
		{Key{0, 0}, 0, true}, {Key{2, 7}, 39, true}, {Key{2, 8}, 0, false},
		{Key{0, 16}, 0, false}, {Key{3, 0}, 0, false}, {Key{1 << 62, 0}, 0, false},
	}
	for _, c := range cases {
		got, ok := c.key.Index(keys)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("%+v.Index(%d) = %d, %v; want %d, %v", c.key, keys, got, ok, c.want, c.ok)
		}
		if ok && KeyOfIndex(got) != c.key {
			t.Errorf("KeyOfIndex(%d) = %+v, want %+v", got, KeyOfIndex(got), c.key)
		}
	}
}

func TestApplyTransitions(t *testing.T) {
	s := State{100, 5}
	if got := Apply(s, OpGet, 0); got != s {
		t.Errorf("GET changed the state: %+v", got)
	}
	if got := Apply(s, OpAck, 50); got != (State{100, 0}) {
		t.Errorf("ACK of an older message: %+v, want last read kept and mentions cleared", got)
	}
	if got := Apply(s, OpAck, 150); got != (State{150, 0}) {
		t.Errorf("ACK of a newer message: %+v", got)
	}
	if got := Apply(s, OpMention, 0); got != (State{100, 6}) {
		t.Errorf("MENTION: %+v", got)
	}
	if got := Apply(State{1, MaxMentions}, OpMention, 0); got.MentionCount != MaxMentions {
		t.Errorf("MENTION past the maximum: %d", got.MentionCount)
	}
}

func frame(op byte, user, channel, message uint64) []byte {
	f := make([]byte, FrameBytes)
	f[0] = op
	binary.LittleEndian.PutUint64(f[8:], user)
	binary.LittleEndian.PutUint64(f[16:], channel)
	binary.LittleEndian.PutUint64(f[24:], message)
	return f
}

func TestDecodeRequestRefusesEveryMalformedFrame(t *testing.T) {
	if r, ok := DecodeRequest(frame(2, 7, 3, 99)); !ok || r != (Request{OpAck, Key{7, 3}, 99}) {
		t.Errorf("ACK decoded as %+v, %v", r, ok)
	}
	malformed := map[string][]byte{
		"op 0": frame(0, 1, 1, 0), "op 4": frame(4, 1, 1, 0),
		"GET with a message id": frame(1, 1, 1, 5), "MENTION with a message id": frame(3, 1, 1, 5),
	}
	for i := 1; i < 8; i++ {
		f := frame(1, 1, 1, 0)
		f[i] = 1
		malformed["reserved byte "+string(rune('0'+i))] = f
	}
	for name, f := range malformed {
		if _, ok := DecodeRequest(f); ok {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestAppendResponseLayout(t *testing.T) {
	got := AppendResponse(nil, StatusOK, 3, Key{0x0102, 7}, State{0xAABB, 9})
	want := []byte{0, 3, 0, 0, 9, 0, 0, 0, 0x02, 0x01, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0xBB, 0xAA, 0, 0, 0, 0, 0, 0}
	if !bytes.Equal(got, want) {
		t.Errorf("response\n got %v\nwant %v", got, want)
	}
	if got := AppendResponse(nil, StatusOutOfRange, 1, Key{1, 2}, State{3, 4}); !bytes.Equal(got, append([]byte{2, 1}, make([]byte, 30)...)) {
		t.Errorf("error frame carries more than status and op: %v", got)
	}
}
