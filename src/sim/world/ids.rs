//! Identifier generation for the simulated world: task ids, deployment ids, event ids. Driven by
//! a counter mixed through a hash, so ids look random but a seeded run is reproducible.

use super::fnv;

/// A source of unique ids.
#[derive(Debug, Default, Clone)]
pub struct Ids {
    counter: u64,
}

impl Ids {
    /// A source for the world's past (`sim::history`): its counter starts far beyond any the
    /// world's own source reaches, so its ids never repeat the world's (the mix below is a
    /// bijection of the counter for a given salt), and drawing them leaves the world's own ids,
    /// and every screen built on them, as they were.
    pub fn for_history() -> Self {
        Ids { counter: 1 << 48 }
    }

    fn next(&mut self, salt: &str) -> u64 {
        self.counter += 1;
        let mut h = fnv(salt) ^ self.counter.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h
    }

    /// A 32-hex-digit task id.
    pub fn task_id(&mut self, seed: &str) -> String {
        let a = self.next(seed);
        let b = self.next(seed);
        format!("{a:016x}{b:016x}")
    }

    /// A 19-digit number, as in `ecs-svc/1234567890123456789`.
    pub fn digits19(&mut self, seed: &str) -> String {
        format!("{:019}", self.next(seed) % 10_000_000_000_000_000_000u64)
    }

    /// A UUID-shaped id (event ids).
    pub fn uuid(&mut self, seed: &str) -> String {
        let a = self.next(seed);
        let b = self.next(seed);
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xffff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }

    /// A hex id of `len` digits (load balancer ids, digests).
    pub fn hex(&mut self, seed: &str, len: usize) -> String {
        let mut s = String::with_capacity(len + 16);
        while s.len() < len {
            s.push_str(&format!("{:016x}", self.next(seed)));
        }
        s.truncate(len);
        s
    }
}
