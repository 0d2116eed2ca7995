//! The one stable 64-bit hash of the workspace: form ids, the bank
//! fingerprint, scoring-key fingerprints and per-item seeds.
//!
//! FNV-1a (Fowler, Noll, Vo; offset basis 14695981039346656037, prime
//! 1099511628211) over bytes. Unlike `std`'s `DefaultHasher`, whose algorithm
//! may change between Rust releases, FNV-1a is fixed by its definition, so a
//! form id computed today is the same on every machine and toolchain. It is
//! not cryptographic: ids name forms, they do not protect them.

/// Incremental FNV-1a hasher. [`Self::str`] and [`Self::u64`] write their
/// length first, so `("ab", "c")` and `("a", "bc")` hash differently;
/// [`Self::bytes`] writes raw bytes.
#[derive(Debug, Clone)]
pub struct StableHasher(u64);

/// FNV-1a's 64-bit prime.
const PRIME: u64 = 0x0100_0000_01b3;

impl StableHasher {
    /// A hasher at FNV-1a's offset basis.
    pub fn new() -> Self {
        Self::with_basis(0xcbf2_9ce4_8422_2325)
    }

    /// A hasher starting from another basis (a domain separator).
    pub fn with_basis(basis: u64) -> Self {
        Self(basis)
    }

    /// Writes raw bytes.
    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Self {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(PRIME);
        }
        self
    }

    /// Writes a length-prefixed string.
    pub fn str(&mut self, s: &str) -> &mut Self {
        self.u64(s.len() as u64);
        self.bytes(s.as_bytes());
        self
    }

    /// Writes an integer (little-endian bytes).
    pub fn u64(&mut self, n: u64) -> &mut Self {
        self.bytes(&n.to_le_bytes());
        self
    }

    /// The hash of what was written.
    pub fn finish(&self) -> u64 {
        self.0
    }
}

impl Default for StableHasher {
    fn default() -> Self {
        Self::new()
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a bijective mixer used to derive
/// per-(unit, form) tie-break priorities from one random salt.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_published_test_vectors() {
        // FNV-1a 64 of "" and "a" (the FNV reference test vectors).
        let mut h = StableHasher::new();
        h.bytes(b"");
        assert_eq!(h.finish(), 0xcbf2_9ce4_8422_2325);
        let mut h = StableHasher::new();
        h.bytes(b"a");
        assert_eq!(h.finish(), 0xaf63_dc4c_8601_ec8c);
        let mut h = StableHasher::new();
        h.bytes(b"foobar");
        assert_eq!(h.finish(), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn fields_are_length_prefixed() {
        let a = StableHasher::new().str("ab").str("c").finish();
        let b = StableHasher::new().str("a").str("bc").finish();
        assert_ne!(a, b);
    }
}
