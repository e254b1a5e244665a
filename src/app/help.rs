//! What the help overlay says, as data: every scope's keys from the key table and the `:`
//! commands, in help order, one entry per line before wrapping. The overlay scrolls and is
//! searched by entry, so `update` knows where it can scroll without knowing the terminal's
//! width (the drawing wraps each entry to it). Pure: no IO, no clock.

use super::keymap::{BINDINGS, COMMANDS, KeyScope};

/// One line of help before wrapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpEntry {
    /// A section's title; `here` when it is the current screen's.
    Title {
        text: String,
        here: bool,
    },
    /// A key (`j/↓`) and what it does.
    Key {
        label: &'static str,
        help: &'static str,
    },
    /// A `:` command's names and what it does.
    Command {
        names: String,
        help: &'static str,
    },
    /// A remark in words.
    Note(&'static str),
    Blank,
}

impl HelpEntry {
    /// The entry's words, for searching.
    pub fn text(&self) -> String {
        match self {
            HelpEntry::Title { text, .. } => text.clone(),
            HelpEntry::Key { label, help } => format!("{label} {help}"),
            HelpEntry::Command { names, help } => format!("{names} {help}"),
            HelpEntry::Note(t) => (*t).to_owned(),
            HelpEntry::Blank => String::new(),
        }
    }
}

/// The two halves of help: the global keys and the commands first; then every other scope in
/// the table's order (the screens that add no keys of their own named together in one line),
/// the confirm dialog's and the help's own keys last; cut between two sections where the
/// longer half is shortest. `here` is the key scope of the screen under the overlay.
pub fn halves(here: KeyScope) -> (Vec<HelpEntry>, Vec<HelpEntry>) {
    let mut first = section(KeyScope::Everywhere, here);
    first.push(HelpEntry::Blank);
    first.push(HelpEntry::Title { text: "Commands (type : then Enter)".into(), here: false });
    for command in COMMANDS {
        let names: Vec<String> = command.names.iter().map(|n| format!(":{n}")).collect();
        first.push(HelpEntry::Command { names: names.join(" "), help: command.help });
    }
    first.push(HelpEntry::Blank);
    let mut sections = vec![first];
    let overlays = |s: &KeyScope| matches!(s, KeyScope::Everywhere | KeyScope::Help | KeyScope::Dialog);
    let others = KeyScope::ALL.iter().copied().filter(|s| !overlays(s));
    let keyless: Vec<KeyScope> = others.clone().filter(|s| !has_own_keys(*s)).collect();
    for scope in others {
        if has_own_keys(scope) {
            sections.push(section(scope, here));
        } else if keyless.first() == Some(&scope) {
            let names: Vec<&str> = keyless.iter().map(|s| s.title()).collect();
            sections.push(vec![
                HelpEntry::Title {
                    text: format!("{}: only the keys listed under Everywhere", names.join(" · ")),
                    here: keyless.contains(&here),
                },
                HelpEntry::Blank,
            ]);
        }
    }
    sections.push(section(KeyScope::Dialog, here));
    sections.push(section(KeyScope::Help, here));
    let total: usize = sections.iter().map(Vec::len).sum();
    let mut best = (usize::MAX, 1);
    let mut run = 0;
    for (k, s) in sections.iter().enumerate().take(sections.len() - 1) {
        run += s.len();
        let longer = run.max(total - run);
        if longer < best.0 {
            best = (longer, k + 1);
        }
    }
    let right_sections = sections.split_off(best.1);
    let mut left: Vec<HelpEntry> = sections.into_iter().flatten().collect();
    let mut right: Vec<HelpEntry> = right_sections.into_iter().flatten().collect();
    for half in [&mut left, &mut right] {
        while half.last() == Some(&HelpEntry::Blank) {
            half.pop();
        }
    }
    (left, right)
}

/// Every entry in one column (as shown when the two halves do not fit side by side).
pub fn entries(here: KeyScope) -> Vec<HelpEntry> {
    let (mut left, right) = halves(here);
    left.push(HelpEntry::Blank);
    left.extend(right);
    left
}

fn has_own_keys(scope: KeyScope) -> bool {
    BINDINGS.iter().any(|b| b.scope == scope)
}

fn section(scope: KeyScope, here: KeyScope) -> Vec<HelpEntry> {
    let own: Vec<_> = BINDINGS.iter().filter(|b| b.scope == scope).collect();
    // A screen with one key of its own says it on its title's line.
    if let [only] = own[..]
        && scope != KeyScope::Everywhere
    {
        let text = format!("{}: {} {}", scope.title(), only.label, only.help);
        return vec![HelpEntry::Title { text, here: scope == here }, HelpEntry::Blank];
    }
    let mut lines = vec![HelpEntry::Title { text: scope.title().to_owned(), here: scope == here }];
    for b in BINDINGS.iter().filter(|b| b.scope == scope) {
        lines.push(HelpEntry::Key { label: b.label, help: b.help });
    }
    if scope != KeyScope::Everywhere {
        lines.push(HelpEntry::Blank);
    }
    lines
}

/// The first entry at or after `from` (wrapping round to the top) whose words contain `needle`,
/// ignoring case.
pub fn find(entries: &[HelpEntry], needle: &str, from: usize) -> Option<usize> {
    let needle = needle.to_lowercase();
    if needle.is_empty() || entries.is_empty() {
        return None;
    }
    let n = entries.len();
    (0..n).map(|i| (from + i) % n).find(|&i| entries[i].text().to_lowercase().contains(&needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap::Action;

    #[test]
    fn help_names_every_scope_and_every_action() {
        let all: Vec<String> = entries(KeyScope::Overview).iter().map(HelpEntry::text).collect();
        let all = all.join("\n");
        for scope in KeyScope::ALL {
            assert!(all.contains(scope.title()), "{scope:?} is missing from help:\n{all}");
        }
        for action in Action::ALL {
            let bound = BINDINGS.iter().any(|b| b.action == action && all.contains(&format!("{} {}", b.label, b.help)));
            let command = COMMANDS.iter().any(|c| c.action == action && all.contains(&format!(":{}", c.names[0])));
            assert!(bound || command, "{action:?} is missing from help:\n{all}");
        }
    }

    #[test]
    fn find_goes_forward_from_where_it_is_and_wraps() {
        let e = entries(KeyScope::Overview);
        let first = find(&e, "ROLL BACK", 0).unwrap();
        assert!(e[first].text().contains("roll back"));
        assert_eq!(find(&e, "roll back", first), Some(first), "the entry shown first counts");
        let next = find(&e, "confirm", first + 1).unwrap();
        assert!(next > first);
        assert_eq!(find(&e, "confirm", e.len() - 1).map(|i| i <= next), Some(true), "wraps to the top");
        assert_eq!(find(&e, "no such words", 0), None);
        assert_eq!(find(&e, "", 0), None);
    }
}
