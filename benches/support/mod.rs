//! Shared by the benches: the CPU time of the calling thread, so that "lines per second on one
//! core" and "one frame" can be read even when other processes share the cores (wall-clock
//! figures are also reported by each bench).

use std::time::{Duration, Instant};

/// CPU time this thread has run (`CLOCK_THREAD_CPUTIME_ID`, nanosecond resolution).
pub fn thread_cpu() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec and the clock id is a constant the C library
    // knows; clock_gettime writes only into `ts`.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// A stopwatch on the thread's CPU time, or on the wall clock.
pub struct Stopwatch {
    cpu: bool,
    cpu_start: Duration,
    wall_start: Instant,
}

impl Stopwatch {
    pub fn start(cpu: bool) -> Self {
        Stopwatch { cpu, cpu_start: if cpu { thread_cpu() } else { Duration::ZERO }, wall_start: Instant::now() }
    }

    pub fn elapsed(&self) -> Duration {
        if self.cpu { thread_cpu().saturating_sub(self.cpu_start) } else { self.wall_start.elapsed() }
    }
}

/// Times `iters` runs of `f` by the thread's CPU time (the frame bench; each bench compiles this
/// module, and the log pipeline times pages with `Stopwatch` instead).
#[allow(dead_code)]
pub fn cpu_time(iters: u64, mut f: impl FnMut()) -> Duration {
    let watch = Stopwatch::start(true);
    for _ in 0..iters {
        f();
    }
    watch.elapsed()
}
