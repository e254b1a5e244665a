//! The key table's own checks: screen keys shadow global ones, every action is bound or
//! commanded, the footer and the commands read as documented.

use super::*;

#[test]
fn screen_bindings_shadow_global_ones() {
    assert_eq!(action_for(KeyScope::Logs, c('w')), Some(A::ToggleWrap));
    assert_eq!(action_for(KeyScope::Overview, c('w')), Some(A::ShowWaf));
    assert_eq!(action_for(KeyScope::Overview, Key::ctrl('c')), Some(A::Quit));
    assert_eq!(action_for(KeyScope::Overview, c('Z')), None);
    assert!(!bindings_for(KeyScope::Logs).iter().any(|b| b.action == A::ShowWaf));
}

#[test]
fn commands_and_footer() {
    assert_eq!(command_action(":q"), Some(A::Quit));
    assert_eq!(command_action("tasks"), Some(A::ShowOverview));
    assert_eq!(command_action("WAF"), Some(A::ShowWaf));
    assert_eq!(command_action("nope"), None);
    assert_eq!(command_action("rollout"), Some(A::ShowRollout));
    assert_eq!(command_action(":warming"), Some(A::ShowWarming));
    assert_eq!(command_action("findings"), Some(A::ShowFindings));
    assert_eq!(command_action("report"), Some(A::WriteReport));
    assert_eq!(COMMANDS.len(), 14);
    let footer = footer_for(KeyScope::Overview, false);
    assert_eq!(footer.first(), Some(&("Enter", "task")));
    assert!(footer.contains(&("q", "quit")));
    assert!(footer.contains(&("R", "redeploy")) && footer.contains(&("X", "replace")));
    let read_only = footer_for(KeyScope::Overview, true);
    assert!(read_only.contains(&("q", "quit")));
    assert!(!read_only.iter().any(|(k, _)| ["R", "B", "W", "X"].contains(k)));
}

#[test]
fn all_lists_every_variant_once_in_order() {
    for (i, a) in Action::ALL.iter().enumerate() {
        assert_eq!(*a as usize, i, "{a:?}");
    }
    for (i, s) in KeyScope::ALL.iter().enumerate() {
        assert_eq!(*s as usize, i, "{s:?}");
    }
    // A variant added after the last one listed: this match names the last ones.
    assert!(matches!(Action::ALL.last(), Some(A::OpenEntry)));
    assert!(matches!(KeyScope::ALL.last(), Some(S::Dialog)));
}

#[test]
fn overlays_answer_only_to_their_own_keys() {
    assert_eq!(action_for(KeyScope::Help, c('q')), Some(A::Quit));
    assert_eq!(action_for(KeyScope::Help, k(KeyCode::Esc)), Some(A::Help));
    assert_eq!(action_for(KeyScope::Help, c('j')), Some(A::Down), "help scrolls");
    assert_eq!(action_for(KeyScope::Help, c('R')), None, "no action under the help");
    assert!(bindings_for(KeyScope::Dialog).iter().all(|b| b.scope == KeyScope::Dialog));
    let ready = [A::Cancel, A::Decline, A::Confirm];
    assert_eq!(action_among(KeyScope::Dialog, &ready, k(KeyCode::Enter)), None, "Enter alone confirms nothing");
    assert_eq!(action_among(KeyScope::Dialog, &ready, c('y')), Some(A::Confirm));
    let typing = [A::Cancel, A::SubmitTyped];
    assert_eq!(action_among(KeyScope::Dialog, &typing, k(KeyCode::Enter)), Some(A::SubmitTyped));
    assert_eq!(action_among(KeyScope::Dialog, &[A::Dismiss], k(KeyCode::Enter)), Some(A::Dismiss));
    assert_eq!(action_among(KeyScope::Dialog, &ready, c('F')), None);
    assert_eq!(label_of(KeyScope::Dialog, A::Confirm), "y");
}

#[test]
fn action_keys() {
    assert_eq!(action_for(KeyScope::Overview, c('R')), Some(A::Redeploy));
    assert_eq!(action_for(KeyScope::Logs, c('B')), Some(A::Rollback));
    assert_eq!(action_for(KeyScope::Logs, c('b')), None, "one key per action: B");
    assert_eq!(action_for(KeyScope::Waf, c('W')), Some(A::Warm));
    assert_eq!(action_for(KeyScope::TaskDetail, c('X')), Some(A::ReplaceTask));
    assert_eq!(action_for(KeyScope::Logs, c('X')), None);
}

#[test]
fn slash_filters_only_screens_that_list_tasks_or_log_lines() {
    assert_eq!(action_for(KeyScope::Overview, c('/')), Some(A::FilterTasks));
    assert_eq!(action_for(KeyScope::Logs, c('/')), Some(A::Filter));
    for scope in [KeyScope::Overview, KeyScope::Logs] {
        assert!(footer_for(scope, false).contains(&("/", "filter")), "{scope:?}");
    }
    // The task detail shows the task's newest lines unfiltered.
    for scope in [KeyScope::TaskDetail, KeyScope::Waf, KeyScope::Events, KeyScope::Progress, KeyScope::Sites] {
        assert_eq!(action_for(scope, c('/')), None, "{scope:?} shows no log lines");
        assert!(!footer_for(scope, false).iter().any(|(k, _)| *k == "/"), "{scope:?}");
    }
}
