//! The kernels' inputs, built from the seed exactly as SPEC.md ("The input") says, so that the harness,
//! which builds them in C++, checks the answer on the same data.

/// SPEC.md's SplitMix64 stream.
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64-bit draw.
    pub fn next_draw(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `count` values: each draw's top 16 bits.
    pub fn values(&mut self, count: usize) -> Vec<u32> {
        (0..count)
            .map(|_| (self.next_draw() >> 48) as u32)
            .collect()
    }

    /// Words of 1-12 lower-case letters, each followed by 1-3 spaces, cut to exactly `bytes` bytes.
    pub fn text(&mut self, bytes: usize) -> String {
        let mut text = String::with_capacity(bytes + 16);
        while text.len() < bytes {
            let letters = 1 + self.next_draw() % 12;
            for _ in 0..letters {
                text.push(char::from(b'a' + (self.next_draw() % 26) as u8));
            }
            let spaces = 1 + self.next_draw() % 3;
            text.extend(std::iter::repeat_n(' ', spaces as usize));
        }
        text.truncate(bytes);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_follow_splitmix64() {
        // SplitMix64's well-known first output for seed 0; the C++ tests check the same value.
        assert_eq!(SplitMix64::new(0).next_draw(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(SplitMix64::new(0).values(1), vec![0xe220]);
    }

    #[test]
    fn text_is_words_and_spaces_of_the_exact_length() {
        let text = SplitMix64::new(7).text(10_000);
        assert_eq!(text.len(), 10_000);
        assert!(!text.starts_with(' '));
        assert!(text.bytes().all(|b| b == b' ' || b.is_ascii_lowercase()));
        assert!(!text.contains("    "), "at most 3 spaces in a row");
    }
}
