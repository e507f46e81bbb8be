// Package readstates is the read-states service of sync_engine's SPEC.md (Service mode) minus its cache:
// the key space and initial states, the 32-byte frames, the backing table, the write-back spill, the TCP
// server and the `serve` command line. The cache itself is the one thing a program brings (Cache), so two
// programs that differ only in their data layout (the packed table of the go port, the pointer LRU of
// go_discord) differ in nothing else: that is the comparison claim L1 is about.
package readstates

import "encoding/binary"

// FrameBytes is the size of every request and response frame.
const FrameBytes = 32

// MaxMentions is where a mention count saturates: 2^30 - 1.
const MaxMentions = 1<<30 - 1

// ChannelsPerUser: key index k in [0, K) is (user k / 16, channel k % 16).
const ChannelsPerUser = 16

// Op is a request's operation byte.
type Op uint8

const (
	OpGet     Op = 1
	OpAck     Op = 2
	OpMention Op = 3
)

// Status is a response's status byte.
type Status uint8

const (
	StatusOK         Status = 0
	StatusMalformed  Status = 1 // the server closes the connection after this frame
	StatusOutOfRange Status = 2 // the key lies outside the key space; the connection stays open
)

// Key is one (user, channel) pair.
type Key struct {
	User, Channel uint64
}

// State is one key's read state.
type State struct {
	LastReadMessageID uint64
	MentionCount      uint32
}

// KeyOfIndex is the key of index k.
func KeyOfIndex(k uint64) Key { return Key{k / ChannelsPerUser, k % ChannelsPerUser} }

// Index is the key's index in a key space of `keys` keys; ok is false when it lies outside.
func (key Key) Index(keys uint64) (index uint64, ok bool) {
	if key.Channel >= ChannelsPerUser || key.User > keys/ChannelsPerUser {
		return 0, false
	}
	index = key.User*ChannelsPerUser + key.Channel
	return index, index < keys
}

// SplitMix64 is one step of Vigna's SplitMix64 generator whose state is z: it adds the golden gamma and
// mixes.
func SplitMix64(z uint64) uint64 {
	z += 0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// InitialState is the state of a key nobody has changed (SPEC.md): h = SplitMix64(user * golden + channel),
// last read h >> 24, mentions h & 7.
func InitialState(key Key) State {
	h := SplitMix64(key.User*0x9E3779B97F4A7C15 + key.Channel)
	return State{LastReadMessageID: h >> 24, MentionCount: uint32(h & 7)}
}

// Apply is the state after op: GET leaves it, ACK raises last read to messageID and clears the mentions,
// MENTION adds one mention, saturating at MaxMentions.
func Apply(state State, op Op, messageID uint64) State {
	switch op {
	case OpAck:
		return State{LastReadMessageID: max(state.LastReadMessageID, messageID)}
	case OpMention:
		if state.MentionCount < MaxMentions {
			state.MentionCount++
		}
	}
	return state
}

// Request is one decoded request frame.
type Request struct {
	Op        Op
	Key       Key
	MessageID uint64 // ACK only; zero otherwise
}

// DecodeRequest reads one request frame (at least FrameBytes long); ok is false when it is malformed: an
// unknown op, a non-zero byte 1-7, or a message id on GET or MENTION.
func DecodeRequest(frame []byte) (request Request, ok bool) {
	_ = frame[FrameBytes-1]
	op := Op(frame[0])
	if op < OpGet || op > OpMention || binary.LittleEndian.Uint64(frame[0:8])>>8 != 0 {
		return Request{}, false
	}
	request = Request{
		Op:        op,
		Key:       Key{binary.LittleEndian.Uint64(frame[8:16]), binary.LittleEndian.Uint64(frame[16:24])},
		MessageID: binary.LittleEndian.Uint64(frame[24:32]),
	}
	return request, op == OpAck || request.MessageID == 0
}

// AppendResponse appends one response frame to out. An error status (malformed, out of range) carries only
// the op byte: key and state are zero.
func AppendResponse(out []byte, status Status, opByte byte, key Key, state State) []byte {
	if status != StatusOK {
		key, state = Key{}, State{}
	}
	out = append(out, byte(status), opByte, 0, 0)
	out = binary.LittleEndian.AppendUint32(out, state.MentionCount)
	out = binary.LittleEndian.AppendUint64(out, key.User)
	out = binary.LittleEndian.AppendUint64(out, key.Channel)
	return binary.LittleEndian.AppendUint64(out, state.LastReadMessageID)
}
