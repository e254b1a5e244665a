//! Where the operator is: the screens, the line being typed, the footer's message, the
//! overview's rows and their order, and the navigation state (`Nav`, `Scroll`). Plain data.

use crate::app::keymap::KeyScope;

/// The screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Screen {
    Overview,
    TaskDetail,
    Logs,
    Waf,
    Events,
    /// A redeploy, rollback or task replacement followed to its end.
    Rollout,
    /// A warming run's results per target.
    Warming,
    /// Every configured site in one table.
    Sites,
    /// Every finding about the site, worst first, with evidence and what to do.
    Findings,
    /// The window's events, deployments, tasks, warmers, WAF spikes and metric peaks by time.
    Timeline,
    /// The platform's and the WAF's metrics over the window, as sparklines on one time axis.
    Metrics,
}

impl Screen {
    /// The key table's scope for this screen.
    pub fn key_scope(self) -> KeyScope {
        match self {
            Screen::Overview => KeyScope::Overview,
            Screen::TaskDetail => KeyScope::TaskDetail,
            Screen::Logs => KeyScope::Logs,
            Screen::Waf => KeyScope::Waf,
            Screen::Events => KeyScope::Events,
            Screen::Rollout | Screen::Warming => KeyScope::Progress,
            Screen::Sites => KeyScope::Sites,
            Screen::Findings => KeyScope::Findings,
            Screen::Timeline => KeyScope::Timeline,
            Screen::Metrics => KeyScope::Metrics,
        }
    }
}

/// A line being typed at the bottom of the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    None,
    Command(String),
    Filter(String),
    Search(String),
    /// Words to find in the help overlay.
    HelpFind(String),
    /// Words the overview's tasks must contain.
    TaskFilter(String),
}

/// A one-line message in the footer (an unknown command, a bad regex, "no more hits").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub error: bool,
}

/// One selectable row of the overview's task table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// A running or starting task, by index in the snapshot.
    Task(usize),
    /// A group of stopped tasks, by index in `Feeds::stopped`.
    Stopped(usize),
}

/// The order of the overview's task rows (`o` cycles through them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TaskSort {
    /// As ECS lists them (by task id).
    #[default]
    Id,
    /// Tasks with a problem first (not running, unhealthy, target unhealthy, warmer standing out).
    Problem,
    /// By ECS status (PENDING, PROVISIONING, RUNNING, DEACTIVATING…).
    Status,
    /// Youngest first.
    Age,
    Az,
    /// Newest revision first.
    Revision,
}

impl TaskSort {
    pub fn next(self) -> TaskSort {
        match self {
            TaskSort::Id => TaskSort::Problem,
            TaskSort::Problem => TaskSort::Status,
            TaskSort::Status => TaskSort::Age,
            TaskSort::Age => TaskSort::Az,
            TaskSort::Az => TaskSort::Revision,
            TaskSort::Revision => TaskSort::Id,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TaskSort::Id => "task id",
            TaskSort::Problem => "problem",
            TaskSort::Status => "status",
            TaskSort::Age => "age",
            TaskSort::Az => "AZ",
            TaskSort::Revision => "revision",
        }
    }
}

/// Where the operator is: the screen and how they got there, the overlays, the line being
/// typed, the footer's message, the selection and the scroll offsets.
#[derive(Debug, Clone)]
pub struct Nav {
    pub screen: Screen,
    /// Where `Esc` goes back to.
    pub back: Vec<Screen>,
    /// The help overlay is open.
    pub help: bool,
    /// The help entry at the top of the overlay (when it scrolls), and the words last searched.
    pub help_top: usize,
    pub help_find: Option<String>,
    pub input: Input,
    pub flash: Option<Flash>,
    /// The selected row of the overview's task table.
    pub selected: usize,
    /// How the task rows are ordered, and whether only those with a problem are shown (both
    /// kept across refreshes, as is the selected task).
    pub task_sort: TaskSort,
    pub problems_only: bool,
    /// The overview: only the tasks whose id, IP, AZ, status, health or revision contain
    /// these words (case-insensitive), kept across refreshes.
    pub task_filter: Option<String>,
    /// The task the detail screen shows (its id).
    pub detail_task: Option<String>,
    pub scroll: Scroll,
    /// The terminal's size, as last reported (for page sizes).
    pub size: (u16, u16),
}

/// Scroll offsets of the screens that scroll by line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scroll {
    /// The events screen (lines from the top).
    pub events: usize,
    /// The WAF screen (lines from the top).
    pub waf: usize,
    /// The rollout view's events (lines from the newest).
    pub rollout: usize,
    /// The selected finding of the findings screen.
    pub finding: usize,
    /// The WAF screen: the selected sampled request (newest first), and whether it is open.
    pub waf_sample: usize,
    pub waf_sample_open: bool,
}
