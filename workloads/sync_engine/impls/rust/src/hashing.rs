//! The two hashes of SPEC.md: SHA-256 (the `sha2` crate, which picks SHA-NI at run time) and `fast`,
//! XXH3-128 with seed 0 (`xxhash-rust`), whose digest is the 128-bit value big-endian (high half first, as
//! printed). Also the content hash of a file: the hash of its chunks' binary digests, in order.

use sha2::{Digest as _, Sha256};

use crate::errors::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashKind {
    Sha256,
    Fast,
}

impl HashKind {
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "sha256" => Ok(HashKind::Sha256),
            "fast" => Ok(HashKind::Fast),
            _ => Err(Error::usage(format!(
                "--hash must be sha256 or fast, not '{text}'"
            ))),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            HashKind::Sha256 => "sha256",
            HashKind::Fast => "fast",
        }
    }

    /// Digest length in bytes: 32 for sha256, 16 for fast.
    pub fn digest_len(self) -> usize {
        match self {
            HashKind::Sha256 => 32,
            HashKind::Fast => 16,
        }
    }

    /// The digest of `data` as one message.
    pub fn digest(self, data: &[u8]) -> Digest {
        let mut bytes = [0u8; 32];
        match self {
            HashKind::Sha256 => bytes.copy_from_slice(&Sha256::digest(data)),
            HashKind::Fast => {
                bytes[..16].copy_from_slice(&xxhash_rust::xxh3::xxh3_128(data).to_be_bytes())
            }
        }
        Digest {
            bytes,
            len: self.digest_len() as u8,
        }
    }

    /// `digest(data)` in lowercase hex.
    pub fn hex(self, data: &[u8]) -> String {
        self.digest(data).hex()
    }

    /// The content hash of a file made of chunks with these hex digests (SPEC.md): the hash of the
    /// concatenation of their binary digests. `None` when a digest is not lowercase hex of this length.
    pub fn content_hash<'a>(self, chunk_hexes: impl Iterator<Item = &'a str>) -> Option<String> {
        let mut digests = Vec::new();
        for hex in chunk_hexes {
            digests.extend_from_slice(&decode_hex(hex, self.digest_len())?);
        }
        Some(self.hex(&digests))
    }
}

/// A digest of either kind; `len` bytes of `bytes` are used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Digest {
    bytes: [u8; 32],
    len: u8,
}

impl Digest {
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }

    pub fn hex(&self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut text = String::with_capacity(2 * self.len as usize);
        for byte in self.as_bytes() {
            text.push(DIGITS[(byte >> 4) as usize] as char);
            text.push(DIGITS[(byte & 15) as usize] as char);
        }
        text
    }
}

/// True when `text` is `digits` lowercase hex digits.
pub fn is_lower_hex(text: &str, digits: usize) -> bool {
    text.len() == digits && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn decode_hex(text: &str, bytes: usize) -> Option<Vec<u8>> {
    if !is_lower_hex(text, 2 * bytes) {
        return None;
    }
    let value = |b: u8| if b <= b'9' { b - b'0' } else { b - b'a' + 10 };
    Some(
        text.as_bytes()
            .chunks(2)
            .map(|pair| value(pair[0]) << 4 | value(pair[1]))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_fips_vectors() {
        let kind = HashKind::Sha256;
        assert_eq!(
            kind.hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            kind.hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            kind.hex(&vec![b'a'; 1_000_000]),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
    }

    #[test]
    fn xxh3_128_of_the_empty_message_high_half_first() {
        // xxHash 0.8's XXH3_128bits("") = {low 0x6001c324468d497f, high 0x99aa06d3014798d8}.
        assert_eq!(HashKind::Fast.hex(b""), "99aa06d3014798d86001c324468d497f");
    }

    #[test]
    fn content_hash_example_of_the_spec() {
        let kind = HashKind::Sha256;
        let chunk = kind.hex(b"abc");
        let hash = kind.content_hash([chunk.as_str()].into_iter()).unwrap();
        assert!(
            hash.starts_with("4f8b42c2") && hash.ends_with("6358"),
            "{hash}"
        );
        assert_eq!(
            kind.content_hash(std::iter::empty()).unwrap(),
            kind.hex(b"")
        );
        assert_eq!(kind.content_hash(["zz"].into_iter()), None);
    }
}
