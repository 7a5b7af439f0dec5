//! A small deterministic PRNG written out here so SMAA results are bit-identical on every
//! platform and every version of the build (a dependency's generator may change its stream
//! between releases; reports must not). The integer stream and the uniforms made from it are
//! exact everywhere; what is built on `ln`, `cos` or `powf` (the Dirichlet weights in
//! [`super::sampler`]) inherits the platform's libm, which is identical run to run and thread
//! count to thread count but may differ in the last bit between platforms.
//!
//! SplitMix64 (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number generators",
//! OOPSLA) expands a 64-bit seed; xoshiro256** (Blackman & Vigna 2018, "Scrambled linear
//! pseudorandom number generators", arXiv:1805.01407) draws the numbers (both bibliographic
//! details unconfirmed; the constants and steps match public copies of the reference code). Both follow the public
//! domain reference code at <https://prng.di.unimi.it/splitmix64.c> and
//! <https://prng.di.unimi.it/xoshiro256starstar.c>, which recommends seeding xoshiro from
//! SplitMix64 exactly as done here.

/// The golden-ratio increment of SplitMix64, also used to spread sample indices.
pub const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64: a 64-bit counter through a strong mixing function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// Starts at `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// xoshiro256**: 256 bits of state, period 2²⁵⁶ − 1, passes BigCrush.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Xoshiro256StarStar {
    s: [u64; 4],
}

impl Xoshiro256StarStar {
    /// State filled from four SplitMix64 outputs, as the reference code recommends; SplitMix64
    /// never yields four zeros in a row, so the state is never the forbidden all-zero one.
    pub fn seed_from_u64(seed: u64) -> Self {
        let mut sm = SplitMix64::new(seed);
        Xoshiro256StarStar {
            s: [sm.next_u64(), sm.next_u64(), sm.next_u64(), sm.next_u64()],
        }
    }

    /// A raw state, for test vectors. The all-zero state is replaced by a seeded one, since
    /// xoshiro would stay at zero forever.
    pub fn from_state(s: [u64; 4]) -> Self {
        if s == [0; 4] {
            return Self::seed_from_u64(0);
        }
        Xoshiro256StarStar { s }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let [s0, s1, s2, s3] = &mut self.s;
        let result = s1.wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = *s1 << 17;
        *s2 ^= *s0;
        *s3 ^= *s1;
        *s1 ^= *s2;
        *s0 ^= *s3;
        *s2 ^= t;
        *s3 = s3.rotate_left(45);
        result
    }

    /// Uniform on [0, 1) with 53 random bits (the upper ones, which are the best in xoshiro).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform on the open interval (0, 1): for logarithms and powers that must not see 0.
    pub fn next_open_f64(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }
}

/// The generator of sample `s` under `seed`: it depends on nothing else, so samples can be
/// drawn in any order, on any number of threads, and come out the same.
pub fn sample_stream(seed: u64, sample: u64) -> Xoshiro256StarStar {
    Xoshiro256StarStar::seed_from_u64(seed ^ sample.wrapping_mul(GOLDEN_GAMMA))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_from_zero() {
        let mut sm = SplitMix64::new(0);
        assert_eq!(sm.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(sm.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(sm.next_u64(), 0x06C4_5D18_8009_454F);
        assert_eq!(sm.next_u64(), 0xF88B_B8A8_724C_81EC);
    }

    #[test]
    fn xoshiro256starstar_matches_the_reference_from_1_2_3_4() {
        let mut x = Xoshiro256StarStar::from_state([1, 2, 3, 4]);
        assert_eq!(x.next_u64(), 11_520);
        assert_eq!(x.next_u64(), 0);
        assert_eq!(x.next_u64(), 1_509_978_240);
        assert_eq!(x.next_u64(), 1_215_971_899_390_074_240);
    }

    #[test]
    fn floats_stay_in_range() {
        let mut x = Xoshiro256StarStar::seed_from_u64(7);
        for _ in 0..10_000 {
            let u = x.next_f64();
            assert!((0.0..1.0).contains(&u));
            let v = x.next_open_f64();
            assert!(v > 0.0 && v < 1.0);
        }
    }

    #[test]
    fn streams_differ_by_sample_and_seed() {
        let a = sample_stream(1, 0).next_u64();
        let b = sample_stream(1, 1).next_u64();
        let c = sample_stream(2, 0).next_u64();
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(a, sample_stream(1, 0).next_u64());
    }
}
