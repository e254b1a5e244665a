//! Sets of recently seen event ids, kept as 64-bit hashes instead of strings: the tailer's and
//! the ring's dedupe run on every log line (QUALITY.md P1), and a string set costs two
//! allocations per line plus SipHash. With 64-bit keys a false "seen" needs a collision among
//! the ids remembered (about 1e-10 for 65,536 of them). No IO.

use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

/// Hashes an already well-mixed `u64` key by passing it through, so a set of id hashes does not
/// hash them a second time.
#[derive(Debug, Clone, Copy, Default)]
pub struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A set of id hashes.
pub type IdSet = HashSet<u64, BuildHasherDefault<PassThrough>>;

/// Turns event ids into 64-bit keys, with a seed chosen per keyer (keys are compared only
/// within the set that made them).
#[derive(Debug, Clone, Default)]
pub struct IdKeys(foldhash::quality::RandomState);

impl IdKeys {
    pub fn key(&self, id: &str) -> u64 {
        self.0.hash_one(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable_within_a_keyer_and_tell_ids_apart() {
        let keys = IdKeys::default();
        assert_eq!(
            keys.key("37000000000000000000000000000000000000000000000000000001"),
            keys.key("37000000000000000000000000000000000000000000000000000001")
        );
        let mut set = IdSet::default();
        for i in 0..100_000u64 {
            assert!(set.insert(keys.key(&format!("{i:056}"))), "collision at {i}");
        }
    }
}
