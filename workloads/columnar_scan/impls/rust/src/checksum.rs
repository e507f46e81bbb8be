//! The format's file checksum (SPEC.md, "Data format"): impls/cpp/engine/manifest.h's `Checksum64`, which
//! the manifest stores as 16 hex digits for every file. Four multiply-xor lanes over little-endian 8-byte
//! words, then the length and the tail bytes: fast enough to check every column before `ready`, and any
//! flipped bit changes it. Not cryptographic.

const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

/// The checksum of `data`. Pure; thread-safe.
pub fn checksum64(data: &[u8]) -> u64 {
    let mut lanes: [u64; 4] = [1, 2, 3, 4];
    let mut blocks = data.chunks_exact(32);
    for block in &mut blocks {
        for (lane, word) in lanes.iter_mut().zip(block.chunks_exact(8)) {
            let word = u64::from_le_bytes(word.try_into().expect("an 8-byte chunk"));
            *lane = (*lane ^ word).wrapping_mul(MULTIPLIER);
            *lane ^= *lane >> 29;
        }
    }
    let mut hash = data.len() as u64;
    for lane in lanes {
        hash = (hash ^ lane).wrapping_mul(MULTIPLIER);
    }
    for &byte in blocks.remainder() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(MULTIPLIER);
    }
    hash ^ (hash >> 32)
}

#[cfg(test)]
mod tests {
    use super::checksum64;

    /// Bytes `i * 7 + 3` of each length, checksummed by the C++ reference's `Checksum64`
    /// (impls/cpp/engine/manifest.cc): lengths around the 32-byte block cover the lanes and the tail.
    const REFERENCE: [(usize, u64); 7] = [
        (0, 0x74e97d4135798675),
        (1, 0x736330434c2d5c25),
        (7, 0xe6b4e37e86eaf57d),
        (31, 0xab15393dafca5e76),
        (32, 0xf8b8da29ffc01909),
        (33, 0x8d83ceb06493eaa2),
        (100, 0x85f3ad997634bd32),
    ];

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + 3) as u8).collect()
    }

    #[test]
    fn equals_the_reference_checksum() {
        for (len, expected) in REFERENCE {
            assert_eq!(checksum64(&pattern(len)), expected, "{len} bytes");
        }
    }

    #[test]
    fn any_flipped_bit_changes_it() {
        let data = pattern(100);
        let clean = checksum64(&data);
        for bit in 0..data.len() * 8 {
            let mut flipped = data.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            assert_ne!(checksum64(&flipped), clean, "bit {bit}");
        }
    }
}
