//! `wpops redeploy | rollback | replace`: the mutating subcommands. Each checks first (read-only,
//! a deployment in progress), asks on a terminal naming account, region, cluster and service
//! (or refuses without one unless --yes), acts, and with --wait follows to the outcome: progress
//! on stderr, the summary on stdout. Exit 0 success, 1 the outcome failed, 2 usage, 3 AWS could
//! not answer, 4 refused. From the confirmation on, SIGTERM, SIGINT, SIGHUP and SIGQUIT end the
//! command once what it started is known: it says on stderr what goes on without it, appends
//! the audit line saying the outcome was not seen, and exits 128 + the signal's number.
//! `wpops warm` is in `act_warm.rs`.

use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use serde_json::json;

use super::args::{ActArgs, Global, Output, ReplaceArgs};
use super::config::Confirm;
use super::connect::{self, Session};
use super::exit;
use super::failure::{Failure, Outcome};
use crate::feed::now_ms;
use crate::feed::runners::audit::{AuditLog, Watched};
use crate::feed::runners::{self, ActionError, Operator};
use crate::signals::{Signal, Signals};

/// Everything a mutating subcommand needs.
pub(super) struct Actor {
    pub command: &'static str,
    pub session: Session,
    pub op: Operator,
    pub args: ActArgs,
    pub timeout: Duration,
}

impl Actor {
    /// Opens the site, refuses early in read-only mode, and names the caller.
    pub async fn open(command: &'static str, args: &ActArgs, g: &Global) -> Result<Actor, Failure> {
        let timeout = humantime::parse_duration(&args.timeout)
            .map_err(|e| Failure::usage(command, format!("--timeout {:?}: {e}", args.timeout)))?;
        let session = connect::open(command, g).await?;
        if session.site.read_only {
            return Err(Failure::refused(
                command,
                format!("refused: {} is read-only (flag or config); nothing was sent", session.site.name),
            ));
        }
        let mut op = Operator {
            clients: session.clients.clone(),
            cluster: session.site.cluster.clone(),
            service: session.site.service.clone(),
            caller: None,
            audit: AuditLog::for_site(session.site.demo, session.site.endpoint_url.as_deref()),
        };
        if let Err(e) = op.identify().await {
            return Err(fail(command, &e));
        }
        Ok(Actor { command, session, op, args: args.clone(), timeout })
    }

    /// Asks on the terminal; true when confirmed. Without a terminal, only --yes confirms.
    pub fn confirm(&self, what: &[String]) -> Result<(), Failure> {
        let caller = self.op.caller.clone().unwrap_or_default();
        let site = &self.session.site;
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "wpops {}: {}", self.command, what.first().map(String::as_str).unwrap_or(""));
        let _ = writeln!(err, "  account {} ({})", caller.account, caller.arn);
        let _ =
            writeln!(err, "  region {} · cluster {} · service {}", self.op.clients.region, site.cluster, site.service);
        for line in what.iter().skip(1) {
            let _ = writeln!(err, "  {line}");
        }
        if self.args.yes {
            return Ok(());
        }
        if !std::io::stdin().is_terminal() {
            return Err(Failure::refused(self.command, "refused: not confirmed (no terminal to ask on; pass --yes)"));
        }
        let expected = match site.confirm {
            Confirm::TypeName => site.service.clone(),
            Confirm::Yes => "y".to_string(),
        };
        let _ = write!(err, "Type {expected:?} to go ahead: ");
        let _ = err.flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if answer.trim() == expected || (site.confirm == Confirm::Yes && answer.trim().eq_ignore_ascii_case("yes")) {
            Ok(())
        } else {
            Err(Failure::refused(self.command, "refused: not confirmed"))
        }
    }

    /// Prints the outcome: JSON on stdout, or the summary line.
    pub fn finish(&self, ok: bool, summary: &str, mut body: serde_json::Value) -> u8 {
        if self.args.output == Output::Json {
            if let Some(obj) = body.as_object_mut() {
                obj.insert("schema".into(), json!("wpops.action/1"));
                obj.insert("action".into(), json!(self.command));
                obj.insert("cluster".into(), json!(self.session.site.cluster));
                obj.insert("service".into(), json!(self.session.site.service));
                obj.insert("ok".into(), json!(ok));
                obj.insert("summary".into(), json!(summary));
            }
            super::output::print_json(&body);
        } else {
            super::output::print_lines(&[summary.to_string()]);
        }
        if ok { exit::OK } else { exit::UNHEALTHY }
    }
}

/// What an action started and leaves running when the command stops watching it.
pub(super) struct Left {
    /// The action's audit line, for the line that says its outcome was not seen.
    pub watched: Watched,
    /// What goes on without wpops, in words: `deployment ecs-svc/… of wp-prod/wordpress goes
    /// on rolling out`.
    pub goes_on: String,
}

impl Actor {
    /// Ends the command on `sig` after it started something: says on stderr what goes on
    /// without it, appends the audit line saying the outcome was not seen, exit 128 + signo.
    pub fn interrupted(&self, sig: Signal, left: &Left) -> Failure {
        let audit = self.op.record_not_seen(&left.watched, Some(sig.name()), None);
        let mut message = format!(
            "stopped by {sig} before the outcome: {} in {} without wpops (`wpops status` shows it)",
            left.goes_on, self.op.clients.region
        );
        if let Some(e) = audit {
            message.push_str(&format!("; {e}"));
        }
        Failure::with_code(sig.exit_code(), self.command, message)
    }
}

/// The failure of an action, with its exit code.
pub(super) fn fail(command: &str, e: &ActionError) -> Failure {
    Failure::action(command, e)
}

fn secs(d: Duration) -> String {
    format!("{:>4}s", d.as_secs())
}

/// What a started deployment leaves running.
fn deployment_left(a: &Actor, started: &runners::Started) -> Left {
    Left {
        watched: started.watched.clone(),
        goes_on: format!(
            "deployment {} of {}/{} goes on rolling out",
            started.deployment_id, a.op.cluster, a.op.service
        ),
    }
}

/// Says on stderr which deployments appeared between the check and the call (not hidden).
fn warn_appeared(command: &str, started: &runners::Started) {
    for note in started.appeared_notes() {
        eprintln!("wpops {command}: warning: {note}");
    }
}

/// Follows a rollout with its events on stderr; the outcome on stdout. A signal ends it.
async fn follow(a: &Actor, left: &Left, signals: &mut Signals) -> Outcome {
    let id = left.watched.deployment_id.as_deref().unwrap_or_default();
    let following = runners::follow_rollout(&a.op, &left.watched, a.timeout, Duration::from_secs(2), |p| {
        for e in &p.new_events {
            eprintln!("{} {}", secs(p.elapsed), e.message);
        }
    });
    let outcome = tokio::select! {
        o = following => o,
        sig = signals.recv() => return Err(a.interrupted(sig, left)),
    };
    match outcome {
        Ok(o) => Ok(a.finish(
            o.succeeded(),
            &format!("deployment {id}: {}", o.describe()),
            json!({"deployment_id": id, "outcome": o}),
        )),
        Err(e) => Err(fail(a.command, &e)),
    }
}

pub async fn redeploy(args: &ActArgs, g: &Global) -> Outcome {
    let mut a = Actor::open("redeploy", args, g).await?;
    let service = match crate::aws::ecs::describe_service(&a.op.clients, &a.op.cluster, &a.op.service).await {
        Ok(s) => s,
        Err(e) => return Err(Failure::aws("redeploy", &e, a.session.profile())),
    };
    if let Err(e) = runners::guard_in_progress(&a.op, &service, args.force) {
        return Err(fail("redeploy", &e));
    }
    let td = crate::model::short_td(&service.task_definition).to_string();
    let what = vec![
        format!("force a new deployment of {}/{}", a.op.cluster, a.op.service),
        format!(
            "UpdateService --force-new-deployment: ECS starts {} new tasks of {td}, then drains the old ones",
            service.desired
        ),
    ];
    a.confirm(&what)?;
    // From here a signal ends the command once what it started is known.
    let mut signals = Signals::register();
    let started = match runners::redeploy(&mut a.op, args.force).await {
        Ok(s) => s,
        Err(e) => return Err(fail("redeploy", &e)),
    };
    let id = started.deployment_id.clone();
    eprintln!("wpops redeploy: started deployment {id}");
    warn_appeared("redeploy", &started);
    let left = deployment_left(&a, &started);
    if let Some(sig) = signals.pending() {
        return Err(a.interrupted(sig, &left));
    }
    if !args.wait {
        return Ok(a.finish(true, &id, json!({"deployment_id": id})));
    }
    follow(&a, &left, &mut signals).await
}

pub async fn rollback(args: &ActArgs, g: &Global) -> Outcome {
    let mut a = Actor::open("rollback", args, g).await?;
    let plan = match runners::plan_rollback(&a.op).await {
        Ok(p) => p,
        Err(e) => return Err(fail("rollback", &e)),
    };
    let service = match crate::aws::ecs::describe_service(&a.op.clients, &a.op.cluster, &a.op.service).await {
        Ok(s) => s,
        Err(e) => return Err(Failure::aws("rollback", &e, a.session.profile())),
    };
    if let Err(e) = runners::guard_in_progress(&a.op, &service, args.force) {
        return Err(fail("rollback", &e));
    }
    let mut what = vec![
        format!(
            "roll back {}/{} from {} to {}",
            a.op.cluster,
            a.op.service,
            crate::model::short_td(&plan.from.task_definition),
            crate::model::short_td(&plan.to.task_definition)
        ),
        format!("the last deployment that completed before the current one with another revision: {}", plan.target.arn),
    ];
    for c in &plan.changes {
        let short = |d: &Option<String>| {
            d.as_deref()
                .map(|d| d.trim_start_matches("sha256:").chars().take(12).collect::<String>())
                .unwrap_or_else(|| "-".into())
        };
        what.push(format!(
            "{:<8} {} ({}) → {} ({})",
            c.container,
            c.from_image,
            short(&c.from_digest),
            c.to_image,
            short(&c.to_digest)
        ));
    }
    what.extend(plan.warnings.iter().map(|w| format!("warning: {w}")));
    a.confirm(&what)?;
    let mut signals = Signals::register();
    let started = match runners::rollback(&mut a.op, &plan, args.force).await {
        Ok(s) => s,
        Err(e) => return Err(fail("rollback", &e)),
    };
    let id = started.deployment_id.clone();
    eprintln!("wpops rollback: started deployment {id} of {}", crate::model::short_td(&plan.to.task_definition));
    warn_appeared("rollback", &started);
    let left = deployment_left(&a, &started);
    if let Some(sig) = signals.pending() {
        return Err(a.interrupted(sig, &left));
    }
    if !args.wait {
        return Ok(a.finish(true, &id, json!({"deployment_id": id, "to_task_definition": plan.to.task_definition})));
    }
    follow(&a, &left, &mut signals).await
}

pub async fn replace(args: &ReplaceArgs, g: &Global) -> Outcome {
    let mut a = Actor::open("replace", &args.act, g).await?;
    let arns = match crate::aws::ecs::list_task_arns(&a.op.clients, &a.op.cluster, &a.op.service, false).await {
        Ok(x) => x,
        Err(e) => return Err(Failure::aws("replace", &e, a.session.profile())),
    };
    let matches: Vec<&String> =
        arns.iter().filter(|arn| crate::model::short_task_id(arn).starts_with(&args.task)).collect();
    let task = match matches.as_slice() {
        [one] => crate::model::short_task_id(one).to_string(),
        [] => {
            return Err(Failure::usage("replace", format!("no running task of the service matches {:?}", args.task)));
        }
        _ => {
            return Err(Failure::usage(
                "replace",
                format!("{:?} matches {} tasks; give more of the id", args.task, matches.len()),
            ));
        }
    };
    let what = vec![
        format!("replace task {task} of {}/{}", a.op.cluster, a.op.service),
        "StopTask with a reason naming you; the service's scheduler starts a replacement".into(),
    ];
    a.confirm(&what)?;
    let mut signals = Signals::register();
    let since = now_ms();
    let watched = match runners::replace_task(&mut a.op, &task).await {
        Ok(id) => id,
        Err(e) => return Err(fail("replace", &e)),
    };
    eprintln!("wpops replace: stopped task {task}");
    let left = Left {
        watched,
        goes_on: format!("task {task} of {}/{} was stopped; its replacement starts", a.op.cluster, a.op.service),
    };
    if let Some(sig) = signals.pending() {
        return Err(a.interrupted(sig, &left));
    }
    if !args.act.wait {
        return Ok(a.finish(true, &format!("stopped {task}"), json!({"task_id": task})));
    }
    let following = runners::follow_replacement(&a.op, &left.watched, since, a.timeout, Duration::from_secs(2), |_| {});
    let outcome = tokio::select! {
        o = following => o,
        sig = signals.recv() => return Err(a.interrupted(sig, &left)),
    };
    Ok(match outcome {
        Ok(runners::ReplaceOutcome::Replaced { task_id }) => a.finish(
            true,
            &format!("replaced {task} by {task_id}; its warmer finished healthy"),
            json!({"task_id": task, "replacement": task_id}),
        ),
        Ok(runners::ReplaceOutcome::WarmerTrouble { task_id, verdict }) => a.finish(
            false,
            &format!("replaced {task} by {task_id}, but its warmer: {verdict}"),
            json!({"task_id": task, "replacement": task_id, "warmer": verdict}),
        ),
        Ok(runners::ReplaceOutcome::TimedOut) => {
            a.finish(false, "no replacement finished warming before the timeout", json!({"task_id": task}))
        }
        Err(e) => return Err(fail("replace", &e)),
    })
}
