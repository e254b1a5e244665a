//! The signals that ask wpops to stop (TERM, INT, HUP, QUIT) as values a loop can wait on, so
//! that the console and the commands that follow a rollout leave through their normal exit
//! (terminal restored, what was left running said) instead of dying where they stand
//! (QUALITY.md item 12). It only catches and names signals; what to do is the caller's.
//!
//! Once registered, a signal no longer kills the process: whoever registers must wait on it
//! for as long as the process runs, so register only where something selects on `recv`.

/// A signal that asks the process to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Term,
    Int,
    Hup,
    Quit,
}

impl Signal {
    /// The signal's number on Linux and the BSDs.
    pub fn number(self) -> u8 {
        match self {
            Signal::Hup => 1,
            Signal::Int => 2,
            Signal::Quit => 3,
            Signal::Term => 15,
        }
    }

    /// `SIGTERM`…
    pub fn name(self) -> &'static str {
        match self {
            Signal::Term => "SIGTERM",
            Signal::Int => "SIGINT",
            Signal::Hup => "SIGHUP",
            Signal::Quit => "SIGQUIT",
        }
    }

    /// The exit code a shell reports for a program this signal ended: 128 + its number.
    pub fn exit_code(self) -> u8 {
        128 + self.number()
    }
}

impl std::fmt::Display for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The four stop signals, caught from `register` on. Must be created inside a tokio runtime.
pub struct Signals {
    #[cfg(unix)]
    streams: Vec<(Signal, tokio::signal::unix::Signal)>,
}

impl Signals {
    /// Catches TERM, INT, HUP and QUIT from now on. A signal that cannot be caught keeps its
    /// default action (the process ends as before).
    pub fn register() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let kinds = [
                (Signal::Term, SignalKind::terminate()),
                (Signal::Int, SignalKind::interrupt()),
                (Signal::Hup, SignalKind::hangup()),
                (Signal::Quit, SignalKind::quit()),
            ];
            let streams = kinds.into_iter().filter_map(|(s, k)| signal(k).ok().map(|st| (s, st))).collect();
            Signals { streams }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    /// Waits for the next signal; never returns if none comes.
    pub async fn recv(&mut self) -> Signal {
        #[cfg(unix)]
        {
            if self.streams.is_empty() {
                return std::future::pending().await;
            }
            let waits = self.streams.iter_mut().map(|(s, st)| {
                let s = *s;
                Box::pin(async move {
                    match st.recv().await {
                        Some(()) => s,
                        // The runtime is shutting down: no signal will come through this one.
                        None => std::future::pending().await,
                    }
                })
            });
            futures_util::future::select_all(waits).await.0
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Signal::Int
        }
    }

    /// A signal that arrived and has not been taken yet, without waiting.
    pub fn pending(&mut self) -> Option<Signal> {
        use futures_util::FutureExt;
        self.recv().now_or_never()
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_128_plus_the_number() {
        let codes: Vec<u8> = [Signal::Term, Signal::Int, Signal::Hup, Signal::Quit].map(Signal::exit_code).to_vec();
        assert_eq!(codes, vec![143, 130, 129, 131]);
        assert_eq!(Signal::Term.to_string(), "SIGTERM");
    }
}
