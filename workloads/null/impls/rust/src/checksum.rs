//! SPEC.md's unit of work: the outputs of SplitMix64 (seed 0) folded order-sensitively.

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The checksum of `work_units` units, with 64-bit wrap-around arithmetic throughout.
pub fn checksum(work_units: u64) -> u64 {
    let mut state = 0u64;
    let mut acc = 0u64;
    for _ in 0..work_units {
        state = state.wrapping_add(GOLDEN_GAMMA);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        acc = acc.rotate_left(1) ^ z;
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::checksum;

    #[test]
    fn known_answers_from_the_spec() {
        assert_eq!(checksum(0), 0);
        assert_eq!(checksum(1), 0xe220_a839_7b1d_cdaf);
        assert_eq!(checksum(3), 0x52b7_c128_2f0c_b818);
    }

    #[test]
    fn the_fold_is_order_sensitive() {
        // acc = rotl(acc, 1) ^ z: with two units the first output is rotated once.
        let (first, second) = (checksum(1), splitmix_second_output());
        assert_eq!(checksum(2), first.rotate_left(1) ^ second);
        assert_ne!(
            checksum(2),
            second.rotate_left(1) ^ first,
            "swapping two units changes the answer"
        );
    }

    fn splitmix_second_output() -> u64 {
        // SplitMix64's second output for seed 0, from its definition.
        let mut z = 0x9E37_79B9_7F4A_7C15u64.wrapping_mul(2);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}
