//! The service's contract in code (SPEC.md, Service mode): the key space and every key's initial state,
//! the transitions, and the 32-byte little-endian frames.

/// Every request and response frame is this long.
pub const FRAME_BYTES: usize = 32;
/// A mention count saturates here: 2^30 - 1.
pub const MAX_MENTIONS: u32 = (1 << 30) - 1;
/// Key index k in [0, K) is (user k / 16, channel k % 16).
pub const CHANNELS_PER_USER: u64 = 16;

/// Response status bytes.
pub const STATUS_OK: u8 = 0;
/// The frame breaks the format: the server closes the connection after answering it.
pub const STATUS_MALFORMED: u8 = 1;
/// A well-formed request for a key outside the key space: the connection stays open.
pub const STATUS_OUT_OF_RANGE: u8 = 2;

/// One key's read state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct State {
    pub last_read: u64,
    pub mentions: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Get = 1,
    Ack = 2,
    Mention = 3,
}

/// One decoded request frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    pub op: Op,
    pub user: u64,
    pub channel: u64,
    /// ACK only; zero otherwise.
    pub message_id: u64,
}

/// One step of Vigna's SplitMix64 whose state is `z`: add the golden gamma, mix.
pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The (user, channel) of key index `k`.
pub fn key_of_index(k: u64) -> (u64, u64) {
    (k / CHANNELS_PER_USER, k % CHANNELS_PER_USER)
}

/// The index of (user, channel) in a key space of `keys` keys; None outside it.
pub fn key_index(user: u64, channel: u64, keys: u64) -> Option<u64> {
    if channel >= CHANNELS_PER_USER || user > keys / CHANNELS_PER_USER {
        return None;
    }
    let k = user * CHANNELS_PER_USER + channel;
    (k < keys).then_some(k)
}

/// The state of key index `k` before anybody changed it: h = SplitMix64(user * golden + channel),
/// last read h >> 24, mentions h & 7.
pub fn initial_state(k: u64) -> State {
    let (user, channel) = key_of_index(k);
    let h = splitmix64(
        user.wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(channel),
    );
    State {
        last_read: h >> 24,
        mentions: (h & 7) as u32,
    }
}

/// GET leaves the state; ACK raises last read to `message_id` and clears the mentions; MENTION adds one,
/// saturating at MAX_MENTIONS.
pub fn apply(state: State, op: Op, message_id: u64) -> State {
    match op {
        Op::Get => state,
        Op::Ack => State {
            last_read: state.last_read.max(message_id),
            mentions: 0,
        },
        Op::Mention => State {
            mentions: (state.mentions + 1).min(MAX_MENTIONS),
            ..state
        },
    }
}

fn u64_at(frame: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(frame[at..at + 8].try_into().expect("8 bytes"))
}

/// Decodes one frame; None when it is malformed (unknown op, a non-zero byte 1-7, a message id on GET or
/// MENTION).
pub fn decode_request(frame: &[u8; FRAME_BYTES]) -> Option<Request> {
    let op = match frame[0] {
        1 => Op::Get,
        2 => Op::Ack,
        3 => Op::Mention,
        _ => return None,
    };
    if frame[1..8].iter().any(|&b| b != 0) {
        return None;
    }
    let request = Request {
        op,
        user: u64_at(frame, 8),
        channel: u64_at(frame, 16),
        message_id: u64_at(frame, 24),
    };
    (op == Op::Ack || request.message_id == 0).then_some(request)
}

/// Appends one response frame; an error status carries the op byte and zeros.
pub fn push_response(out: &mut Vec<u8>, status: u8, op_byte: u8, key: (u64, u64), state: State) {
    let (key, state) = if status == STATUS_OK {
        (key, state)
    } else {
        ((0, 0), State::default())
    };
    out.extend_from_slice(&[status, op_byte, 0, 0]);
    out.extend_from_slice(&state.mentions.to_le_bytes());
    out.extend_from_slice(&key.0.to_le_bytes());
    out.extend_from_slice(&key.1.to_le_bytes());
    out.extend_from_slice(&state.last_read.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initial_state_known_answers() {
        assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
        let k = key_index(5, 3, 1000).unwrap();
        assert_eq!(
            initial_state(k),
            State {
                last_read: 699_533_833_993,
                mentions: 7
            }
        );
    }

    #[test]
    fn key_index_bounds_the_key_space() {
        assert_eq!(key_index(2, 7, 40), Some(39));
        assert_eq!(key_index(2, 8, 40), None);
        assert_eq!(key_index(0, 16, 40), None);
        assert_eq!(key_index(u64::MAX / 2, 0, 40), None);
        assert_eq!(key_of_index(39), (2, 7));
    }

    #[test]
    fn transitions() {
        let s = State {
            last_read: 100,
            mentions: 5,
        };
        assert_eq!(apply(s, Op::Get, 0), s);
        assert_eq!(
            apply(s, Op::Ack, 50),
            State {
                last_read: 100,
                mentions: 0
            }
        );
        assert_eq!(apply(s, Op::Ack, 150).last_read, 150);
        assert_eq!(apply(s, Op::Mention, 0).mentions, 6);
        let full = State {
            last_read: 1,
            mentions: MAX_MENTIONS,
        };
        assert_eq!(apply(full, Op::Mention, 0).mentions, MAX_MENTIONS);
    }

    fn frame(op: u8, user: u64, channel: u64, message: u64) -> [u8; FRAME_BYTES] {
        let mut f = [0u8; FRAME_BYTES];
        f[0] = op;
        f[8..16].copy_from_slice(&user.to_le_bytes());
        f[16..24].copy_from_slice(&channel.to_le_bytes());
        f[24..32].copy_from_slice(&message.to_le_bytes());
        f
    }

    #[test]
    fn decode_refuses_every_malformed_frame() {
        let ack = decode_request(&frame(2, 7, 3, 99)).unwrap();
        assert_eq!(
            (ack.op, ack.user, ack.channel, ack.message_id),
            (Op::Ack, 7, 3, 99)
        );
        for bad in [
            frame(0, 1, 1, 0),
            frame(4, 1, 1, 0),
            frame(1, 1, 1, 5),
            frame(3, 1, 1, 5),
        ] {
            assert_eq!(decode_request(&bad), None);
        }
        for i in 1..8 {
            let mut f = frame(1, 1, 1, 0);
            f[i] = 1;
            assert_eq!(decode_request(&f), None, "byte {i}");
        }
    }

    #[test]
    fn response_layout() {
        let mut out = Vec::new();
        let state = State {
            last_read: 0xAABB,
            mentions: 9,
        };
        push_response(&mut out, STATUS_OK, 3, (0x0102, 7), state);
        let mut want = vec![0, 3, 0, 0, 9, 0, 0, 0, 0x02, 0x01, 0, 0, 0, 0, 0, 0, 7];
        want.extend_from_slice(&[0; 7]);
        want.extend_from_slice(&[0xBB, 0xAA, 0, 0, 0, 0, 0, 0]);
        assert_eq!(out, want);
        out.clear();
        push_response(&mut out, STATUS_OUT_OF_RANGE, 1, (1, 2), state);
        assert_eq!(out[..2], [2, 1]);
        assert!(out[2..].iter().all(|&b| b == 0));
    }
}
