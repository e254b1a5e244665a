//! The terminal loop: wires crossterm input, the one message channel, `app::update`, the
//! runtime and drawing. It holds no logic of its own: events in, `update`, `Runtime::run` for
//! each effect, and a frame drawn only when the state changed, at most ~30 times a second.
//! TERM, INT, HUP and QUIT end it through the same exit as `q` (terminal restored).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{self, Event, KeyEventKind, KeyModifiers};
use tokio::sync::mpsc;

use crate::app::{self, Key, KeyCode, Msg, SiteInfo, State};
use crate::aws::Clients;
use crate::feed::fleet::FleetSource;
use crate::feed::now_ms;
use crate::feed::runners::WarmSettings;
use crate::feed::runners::audit::AuditLog;
use crate::feed::runtime::{Next, Runtime};
use crate::signals::{Signal, Signals};

/// The shortest time between two frames.
const FRAME: Duration = Duration::from_millis(33);

/// How the console ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TuiExit {
    Quit,
    /// The operator opened another site from the fleet view.
    Open(String),
    /// A signal (TERM, INT, HUP, QUIT) asked the console to stop; the terminal was restored
    /// as for `q`, and the process should exit with `128 + its number`.
    Signalled(Signal),
}

/// Why the console stopped other than by the operator's `q`.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error("the terminal could not be used: {0}")]
    Terminal(#[from] std::io::Error),
    #[error("a background task failed: {0}")]
    Feed(String),
}

/// Converts a crossterm key to the app's own key type.
pub fn key_of(k: &crossterm::event::KeyEvent) -> Option<Key> {
    use crossterm::event::KeyCode as C;
    let code = match k.code {
        C::Char(c) => KeyCode::Char(c),
        C::Enter => KeyCode::Enter,
        C::Esc => KeyCode::Esc,
        C::Backspace => KeyCode::Backspace,
        C::Tab => KeyCode::Tab,
        C::BackTab => KeyCode::BackTab,
        C::Up => KeyCode::Up,
        C::Down => KeyCode::Down,
        C::Left => KeyCode::Left,
        C::Right => KeyCode::Right,
        C::PageUp => KeyCode::PageUp,
        C::PageDown => KeyCode::PageDown,
        C::Home => KeyCode::Home,
        C::End => KeyCode::End,
        C::Delete => KeyCode::Delete,
        C::F(n) => KeyCode::F(n),
        _ => return None,
    };
    Some(Key { code, ctrl: k.modifiers.contains(KeyModifiers::CONTROL), alt: k.modifiers.contains(KeyModifiers::ALT) })
}

/// Reads terminal events on a thread of its own until `stop` is set.
fn spawn_input(tx: mpsc::Sender<Msg>, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            match event::poll(Duration::from_millis(50)) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(_) => return,
            }
            let msg = match event::read() {
                Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => key_of(&k).map(Msg::Key),
                Ok(Event::Resize(w, h)) => Some(Msg::Resize(w, h)),
                Ok(_) => None,
                Err(_) => return,
            };
            if let Some(m) = msg
                && tx.blocking_send(m).is_err()
            {
                return;
            }
        }
    })
}

/// Runs the console until the operator quits.
pub async fn run(
    site: SiteInfo,
    clients: Clients,
    warming: WarmSettings,
    fleet: Option<FleetSource>,
    audit: AuditLog,
) -> Result<TuiExit, TuiError> {
    // Caught before the terminal is taken: from raw mode on, a signal must not end the process
    // where it stands (QUALITY.md item 12) but leave through the restore below.
    let mut signals = Signals::register();
    let (tx, mut rx) = mpsc::channel::<Msg>(1024);
    let mut runtime = Runtime::start(clients, site.clone(), warming, fleet, audit, tx.clone());
    let drill = panic_drill();
    if drill == Some(Drill::Feed) {
        runtime.spawn(async {
            tokio::time::sleep(Duration::from_millis(500)).await;
            panic!("panic drill: a background task panicked (WPOPS_PANIC_DRILL=feed)");
        });
    }
    let mut frames = 0u32;
    let mut state = State::new(site, now_ms());
    // The window the command line named (`--since`, `--from`/`--to`).
    for effect in app::start(&mut state) {
        runtime.run(effect);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let mut terminal = match init_terminal() {
        Ok(t) => t,
        Err(e) => {
            restore_terminal();
            drop(std::panic::take_hook());
            return Err(TuiError::Terminal(e));
        }
    };
    if let Ok(size) = terminal.size() {
        app::update(&mut state, Msg::Resize(size.width, size.height));
    }
    let input = spawn_input(tx, stop.clone());
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut last_draw = Instant::now() - FRAME;
    let mut outcome = Ok(TuiExit::Quit);
    state.dirty = true;
    loop {
        // Checked before every frame: no frame may follow a panic elsewhere (see `init_terminal`).
        if let Some(text) = background_panic() {
            outcome = Err(TuiError::Feed(text));
            break;
        }
        if state.dirty && last_draw.elapsed() >= FRAME {
            frames += 1;
            if drill == Some(Drill::Draw) && frames == 3 {
                panic!("panic drill: the draw loop panicked (WPOPS_PANIC_DRILL=draw)");
            }
            if let Err(e) = terminal.draw(|f| crate::ui::render(&state, f)) {
                // A hangup closes the terminal under the draw: the signal is the reason.
                outcome = match signals.pending() {
                    Some(sig) => Ok(TuiExit::Signalled(sig)),
                    None => Err(TuiError::Terminal(e)),
                };
                break;
            }
            state.dirty = false;
            last_draw = Instant::now();
        }
        let redraw_in = if state.dirty { FRAME.saturating_sub(last_draw.elapsed()) } else { Duration::from_secs(3600) };
        let msg = tokio::select! {
            biased;
            // First, so that a flood of messages cannot keep a signal waiting.
            sig = signals.recv() => {
                outcome = Ok(TuiExit::Signalled(sig));
                break;
            }
            m = rx.recv() => m,
            _ = tick.tick() => Some(Msg::Tick(now_ms())),
            _ = tokio::time::sleep(redraw_in) => continue,
            Some(p) = runtime.panicked() => {
                outcome = Err(TuiError::Feed(panic_text(p)));
                break;
            }
        };
        let Some(msg) = msg else { break };
        let mut effects = app::update(&mut state, msg);
        // Coalesce what is already queued before drawing.
        for _ in 0..256 {
            match rx.try_recv() {
                Ok(m) => effects.extend(app::update(&mut state, m)),
                Err(_) => break,
            }
        }
        for e in effects {
            if let Next::OpenSite(name) = runtime.run(e) {
                outcome = Ok(TuiExit::Open(name));
            }
        }
        if state.should_quit() {
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let signal = match &outcome {
        Ok(TuiExit::Signalled(sig)) => Some(sig.name()),
        _ => None,
    };
    runtime.abandon(signal);
    runtime.shutdown();
    restore_terminal();
    // Back to the default panic hook: the terminal is the shell's again.
    drop(std::panic::take_hook());
    // The reader sees `stop` within its 50 ms poll, except when the terminal has gone away:
    // crossterm then retries the hung-up tty inside one poll and never returns, and waiting for
    // it kept the process alive (and spinning) for good after a closed tmux or SSH session.
    let deadline = Instant::now() + INPUT_JOIN_WAIT;
    while !input.is_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    if input.is_finished() {
        let _ = input.join();
    }
    outcome
}

/// How long the console waits for its input reader to stop before leaving without it.
const INPUT_JOIN_WAIT: Duration = Duration::from_millis(300);

/// The first panic on a thread other than the terminal loop's (a feed, the input reader, the
/// demo's simulator), with where it happened, for the loop to report.
static BACKGROUND_PANIC: Mutex<Option<String>> = Mutex::new(None);

fn background_panic() -> Option<String> {
    BACKGROUND_PANIC.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Takes the terminal (raw mode, alternate screen) with a panic hook that keeps it usable
/// (QUALITY.md item 3). Only the loop's thread writes to the terminal: a panic on it restores
/// the terminal, then prints the message; a panic on any other thread is only noted, and the
/// loop stops and restores at its next turn (within a tick). Restoring from the panicking
/// thread, as `ratatui::init`'s hook does, let the loop draw another frame onto the restored
/// screen before it noticed.
fn init_terminal() -> std::io::Result<ratatui::DefaultTerminal> {
    let ui = std::thread::current().id();
    *BACKGROUND_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = None;
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == ui {
            restore_terminal();
            default(info);
        } else {
            let at = info.location().map(|l| format!(" (at {}:{})", l.file(), l.line())).unwrap_or_default();
            let text = format!("{}{at}", panic_message(info.payload()));
            BACKGROUND_PANIC.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(text);
        }
    }));
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(std::io::stdout(), crossterm::terminal::EnterAlternateScreen)?;
    ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(std::io::stdout()))
}

/// Raw mode off, alternate screen left, cursor shown.
fn restore_terminal() {
    let _ = crossterm::terminal::disable_raw_mode();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::terminal::LeaveAlternateScreen, crossterm::cursor::Show);
}

/// A deliberate panic for checking that the terminal is restored (QUALITY.md item 3):
/// `WPOPS_PANIC_DRILL=draw` panics in the draw loop on the third frame, `=feed` in a background
/// task after half a second. Used by the pty tests; unset, it does nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Drill {
    Draw,
    Feed,
}

fn panic_drill() -> Option<Drill> {
    match std::env::var("WPOPS_PANIC_DRILL").ok()?.as_str() {
        "draw" => Some(Drill::Draw),
        "feed" => Some(Drill::Feed),
        _ => None,
    }
}

fn panic_text(p: Box<dyn std::any::Any + Send>) -> String {
    panic_message(p.as_ref())
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".into()
    }
}
