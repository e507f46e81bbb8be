//! FastCDC with the Gear rolling hash and normalised chunking level 2, exactly as SPEC.md ("Chunking and
//! hashing") defines it: the Gear table is SplitMix64 seeded with 0, the masks put their one-bits at
//! `63 - floor(j * 48 / k)`, no Gear hash is computed before `min`, and a cut falls after the first byte
//! whose fingerprint has no bit of the mask in force. The `fastcdc` crate has another table and other cut
//! rules, so its boundaries could never match the contract's.

use crate::errors::{Error, Result};

/// Chunk sizes in bytes. Valid when `1 <= min < avg < max <= 2 GiB` and `avg` is a power of two from 8
/// to 1 GiB (`validate`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkSizes {
    pub min: usize,
    pub avg: usize,
    pub max: usize,
}

impl Default for ChunkSizes {
    fn default() -> Self {
        ChunkSizes {
            min: 16 << 10,
            avg: 64 << 10,
            max: 256 << 10,
        }
    }
}

impl ChunkSizes {
    /// A usage error naming the rule when the sizes break SPEC.md's limits.
    pub fn validate(&self) -> Result<()> {
        if self.min < 1 || self.min >= self.avg || self.avg >= self.max || self.max > 2 << 30 {
            return Err(Error::usage(format!(
                "chunk sizes need 1 <= --min < --avg < --max <= 2G; got --min {} --avg {} --max {}",
                self.min, self.avg, self.max
            )));
        }
        if !self.avg.is_power_of_two() || !(8..=1 << 30).contains(&self.avg) {
            return Err(Error::usage(format!(
                "--avg must be a power of two from 8 to 1G; got {}",
                self.avg
            )));
        }
        Ok(())
    }
}

/// `SplitMix64(z)` of SPEC.md: the state is advanced by the golden gamma, then mixed.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A mask with `ones` one-bits spread evenly over the top 48 bits (SPEC.md).
pub fn spread_mask(ones: u32) -> u64 {
    (0..ones as u64).fold(0, |mask, j| mask | 1 << (63 - j * 48 / ones as u64))
}

/// Finds content-defined boundaries. Immutable once built, so one chunker serves every thread.
#[derive(Clone, Debug)]
pub struct Chunker {
    sizes: ChunkSizes,
    gear: [u64; 256],
    mask_small: u64,
    mask_large: u64,
}

impl Chunker {
    /// `sizes` must have passed `validate`.
    pub fn new(sizes: ChunkSizes) -> Self {
        let mut state = 0;
        let gear = std::array::from_fn(|_| splitmix64(&mut state));
        let bits = sizes.avg.trailing_zeros();
        Chunker {
            sizes,
            gear,
            mask_small: spread_mask(bits + 2),
            mask_large: spread_mask(bits - 2),
        }
    }

    pub fn sizes(&self) -> ChunkSizes {
        self.sizes
    }

    /// The length in bytes of the chunk that starts at `data[0]` (0 only when `data` is empty).
    pub fn cut(&self, data: &[u8]) -> usize {
        let ChunkSizes { min, avg, max } = self.sizes;
        if data.len() <= min {
            return data.len();
        }
        let end = data.len().min(max);
        let mut fp: u64 = 0;
        // Two loops, one mask each: before `avg` the stricter one, from `avg` on the looser one.
        let small_end = end.min(avg);
        for (i, &byte) in data[min..small_end].iter().enumerate() {
            fp = (fp << 1).wrapping_add(self.gear[byte as usize]);
            if fp & self.mask_small == 0 {
                return min + i + 1;
            }
        }
        if small_end < end {
            for (i, &byte) in data[small_end..end].iter().enumerate() {
                fp = (fp << 1).wrapping_add(self.gear[byte as usize]);
                if fp & self.mask_large == 0 {
                    return small_end + i + 1;
                }
            }
        }
        end
    }

    /// Every chunk of `data` in order, as `(offset, length)`.
    pub fn chunks<'a>(&'a self, data: &'a [u8]) -> impl Iterator<Item = (usize, usize)> + 'a {
        let mut offset = 0;
        std::iter::from_fn(move || {
            let length = self.cut(&data[offset..]);
            if length == 0 {
                return None;
            }
            offset += length;
            Some((offset - length, length))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_known_answer_from_the_spec() {
        let mut state = 0;
        assert_eq!(splitmix64(&mut state), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn masks_put_their_bits_where_the_spec_says() {
        // k = 1: bit 63 only; k = 2: bits 63 and 63 - 24; k = 48: all of the top 48 bits.
        assert_eq!(spread_mask(1), 1 << 63);
        assert_eq!(spread_mask(2), 1 << 63 | 1 << 39);
        assert_eq!(spread_mask(48), !0u64 << 16);
        assert_eq!(spread_mask(18).count_ones(), 18);
    }

    #[test]
    fn short_inputs_are_one_chunk_and_chunks_tile_within_min_and_max() {
        let sizes = ChunkSizes {
            min: 64,
            avg: 256,
            max: 1024,
        };
        let chunker = Chunker::new(sizes);
        assert_eq!(chunker.cut(&[]), 0);
        assert_eq!(chunker.cut(&[7; 64]), 64);
        let mut state = 9;
        let data: Vec<u8> = (0..20_000).map(|_| splitmix64(&mut state) as u8).collect();
        let mut next = 0;
        for (offset, length) in chunker.chunks(&data) {
            assert_eq!(offset, next);
            assert!(length <= 1024 && (length > 64 || offset + length == data.len()));
            next += length;
        }
        assert_eq!(next, data.len());
    }

    #[test]
    fn invalid_sizes_are_usage_errors() {
        for (min, avg, max) in [
            (0, 8, 16),
            (8, 8, 16),
            (4, 12, 16),
            (4, 16, 16),
            (4, 8, 3 << 30),
        ] {
            let sizes = ChunkSizes { min, avg, max };
            assert!(
                matches!(sizes.validate(), Err(Error::Usage(_))),
                "{sizes:?}"
            );
        }
        assert!(ChunkSizes::default().validate().is_ok());
    }
}
