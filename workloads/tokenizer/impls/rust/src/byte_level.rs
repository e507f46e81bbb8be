//! GPT-2's byte-level alphabet: every byte has a printable stand-in character, so that a vocabulary of
//! strings can name all 256 bytes. The encoder works on the document's own bytes; the alphabet is used
//! only when loading (vocabulary strings back to bytes) and when decoding.

/// The stand-in character of each byte (GPT-2's `bytes_to_unicode`): printable Latin-1 bytes stand for
/// themselves, the other 68 map to U+0100..=U+0143 in byte order.
pub const BYTE_CHARS: [char; 256] = {
    let mut table = ['\0'; 256];
    let mut next = 0x100u32;
    let mut byte = 0;
    while byte < 256 {
        let printable = matches!(byte, 0x21..=0x7E | 0xA1..=0xAC | 0xAE..=0xFF);
        let code = if printable {
            byte as u32
        } else {
            next += 1;
            next - 1
        };
        table[byte] = match char::from_u32(code) {
            Some(c) => c,
            None => panic!("every stand-in is a valid char"),
        };
        byte += 1;
    }
    table
};

/// The inverse of `BYTE_CHARS` over U+0000..U+0143: the byte each stand-in names, or `NO_BYTE`.
const CHAR_BYTES: [u16; 0x144] = {
    let mut table = [NO_BYTE; 0x144];
    let mut byte = 0;
    while byte < 256 {
        table[BYTE_CHARS[byte] as usize] = byte as u16;
        byte += 1;
    }
    table
};
const NO_BYTE: u16 = u16::MAX;

/// The byte a stand-in character stands for, if it is one.
pub fn byte_of(c: char) -> Option<u8> {
    match CHAR_BYTES.get(c as usize) {
        Some(&byte) if byte != NO_BYTE => Some(byte as u8),
        _ => None,
    }
}

/// The raw bytes a byte-level token string stands for, or `None` when a character is outside the
/// alphabet (special tokens such as `<|x|>` are inside it; `中` is not).
pub fn token_bytes(token: &str) -> Option<Vec<u8>> {
    token.chars().map(byte_of).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alphabet_is_gpt2s() {
        assert_eq!(BYTE_CHARS[b'a' as usize], 'a');
        assert_eq!(BYTE_CHARS[b' ' as usize], 'Ġ'); // U+0120
        assert_eq!(BYTE_CHARS[b'\n' as usize], 'Ċ'); // U+010A
        assert_eq!(BYTE_CHARS[0], '\u{100}');
        assert_eq!(BYTE_CHARS[0xAD], '\u{143}');
        let mut seen: Vec<char> = BYTE_CHARS.to_vec();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 256, "one character per byte");
    }

    #[test]
    fn tokens_map_back_to_bytes() {
        assert_eq!(token_bytes("Ġthe").as_deref(), Some(&b" the"[..]));
        assert_eq!(
            token_bytes("<|endoftext|>").as_deref(),
            Some(&b"<|endoftext|>"[..])
        );
        assert_eq!(token_bytes("中"), None);
        for byte in 0..=255u8 {
            assert_eq!(byte_of(BYTE_CHARS[byte as usize]), Some(byte));
        }
    }
}
