//! Byte scans for the hot log path (QUALITY.md P1): finding a byte or a line break 8 bytes at a
//! time (SWAR, since std has no public memchr), and proving a line is all printable ASCII 16
//! bytes at a time in a loop the compiler vectorises. Used by the sanitiser, ingest and the
//! access-line parser; it holds no other logic.

const CHUNK: usize = 16;

/// True when every byte is printable ASCII (0x20–0x7E): the sanitiser's fast path.
pub fn is_printable_ascii(bytes: &[u8]) -> bool {
    let mut chunks = bytes.chunks_exact(CHUNK);
    for chunk in &mut chunks {
        // No early exit inside the chunk, so this loop becomes SIMD compares.
        let clean = chunk.iter().fold(true, |ok, &b| ok & (b.wrapping_sub(0x20) < 0x5f));
        if !clean {
            return false;
        }
    }
    chunks.remainder().iter().all(|&b| b.wrapping_sub(0x20) < 0x5f)
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// High bit set in each byte of `w` that is zero. Only the lowest set bit is exact (a borrow
/// can mark bytes above a true zero), which is all a forward search needs.
#[inline(always)]
fn zero_bytes(w: u64) -> u64 {
    w.wrapping_sub(LO) & !w & HI
}

/// Index of the first `needle` in `hay` (8 bytes per step, SWAR).
pub fn find_byte(hay: &[u8], needle: u8) -> Option<usize> {
    let rep = LO * u64::from(needle);
    find_by(hay, |w| zero_bytes(w ^ rep), |b| b == needle)
}

/// Index of the first `\n` or `\r`.
pub fn find_line_break(hay: &[u8]) -> Option<usize> {
    find_by(hay, |w| zero_bytes(w ^ (LO * 0x0a)) | zero_bytes(w ^ (LO * 0x0d)), |b| b == b'\n' || b == b'\r')
}

#[inline(always)]
fn find_by(hay: &[u8], mask: impl Fn(u64) -> u64, hit: impl Fn(u8) -> bool) -> Option<usize> {
    let mut chunks = hay.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let m = mask(u64::from_le_bytes(word));
        if m != 0 {
            return Some(base + (m.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks.remainder().iter().position(|&b| hit(b)).map(|i| base + i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn finds_at_every_position() {
        for len in 0..40 {
            for at in 0..len {
                let mut v = vec![b'a'; len];
                v[at] = b'\n';
                assert_eq!(find_byte(&v, b'\n'), Some(at));
                assert_eq!(find_line_break(&v), Some(at));
                assert!(!is_printable_ascii(&v));
                v[at] = b'~';
                assert_eq!(find_byte(&v, b'\n'), None);
                assert!(is_printable_ascii(&v));
            }
        }
        assert!(is_printable_ascii(b""));
        assert_eq!(find_line_break(b"abc\r\n"), Some(3));
    }

    proptest! {
        #[test]
        fn agrees_with_the_plain_loops(v in prop::collection::vec(any::<u8>(), 0..100), needle in any::<u8>()) {
            prop_assert_eq!(find_byte(&v, needle), v.iter().position(|&b| b == needle));
            prop_assert_eq!(find_line_break(&v), v.iter().position(|&b| b == b'\n' || b == b'\r'));
            prop_assert_eq!(is_printable_ascii(&v), v.iter().all(|b| (0x20..0x7f).contains(b)));
        }
    }
}
