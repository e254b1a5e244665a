//! `wpops warm`: re-run OPcache warming on every running task — one one-off warmer task per
//! task aimed at its private IP — and report each task's `success/failure/total`, naming the
//! ones that failed (exit codes explained). When the warmer task definition is missing it says
//! how to create it, and `--register-warmer` registers one derived from the service's warmer.
//! A signal after the warmers started ends it as in `act.rs`: what runs on is said, exit
//! 128 + the signal's number.

use std::time::Duration;

use serde_json::json;

use super::act::{Actor, Left, fail};
use super::args::{Global, Output, WarmArgs};
use super::failure::{Failure, Outcome};
use super::output::table;
use crate::feed::now_ms;
use crate::feed::runners::{self, WarmSettings};
use crate::model::{WarmRunSummary, task_prefix};
use crate::signals::Signals;

/// Nothing to warm is not a usage error: AWS answered and the command was well formed, but the
/// service has no running task with a private IP to aim a warmer at (moto gives its tasks none),
/// so the action's outcome is that nothing was warmed: exit 1, saying what was found.
fn nothing_to_warm(plan: &runners::WarmPlan) -> Option<Failure> {
    plan.nothing_to_warm().map(|why| Failure::with_code(super::exit::UNHEALTHY, "warm", why))
}

pub async fn warm(args: &WarmArgs, g: &Global) -> Outcome {
    let mut a = Actor::open("warm", &args.act, g).await?;
    let w = &a.session.site.warming;
    let settings = WarmSettings { task_definition: w.task_definition.clone(), path: w.path.clone(), port: w.port };
    let mut plan = match runners::plan_warm(&a.op, &settings).await {
        Ok(p) => p,
        Err(e) => return Err(fail("warm", &e)),
    };
    if let Some(f) = nothing_to_warm(&plan) {
        return Err(f);
    }
    let mut what = vec![format!(
        "re-run warming on {} running tasks of {}/{} with {}",
        plan.targets.len(),
        a.op.cluster,
        a.op.service,
        plan.task_definition
    )];
    if let Some(def) = &plan.missing {
        if !args.register_warmer {
            return Err(Failure::usage(
                "warm",
                format!(
                    "the warmer task definition {} does not exist. Create it with `wpops warm --register-warmer` \
                 (registers {} derived from the service's warmer: image {}, one essential container running `curl -fsS` \
                 against each task's IP, awsvpc/FARGATE, cpu {}, memory {}), or name an existing one in the site's \
                 [sites.NAME.warming] task_definition",
                    plan.task_definition, def.family, def.image, def.cpu, def.memory
                ),
            ));
        }
        what.push(format!(
            "first RegisterTaskDefinition {} (image {}, curl -fsS, awsvpc/FARGATE)",
            def.family, def.image
        ));
    }
    for t in &plan.targets {
        what.push(format!("RunTask → {} {}", task_prefix(&t.task_id), t.url));
    }
    a.confirm(&what)?;
    let mut signals = Signals::register();
    if let Some(def) = plan.missing.clone() {
        if let Err(e) = runners::register_warmer(&mut a.op, &def).await {
            return Err(fail("warm", &e));
        }
        plan = match runners::plan_warm(&a.op, &settings).await {
            Ok(p) => p,
            Err(e) => return Err(fail("warm", &e)),
        };
        if let Some(sig) = signals.pending() {
            let message = format!("stopped by {sig}: registered {}; no warmer was started", def.family);
            return Err(Failure::with_code(sig.exit_code(), "warm", message));
        }
    }
    let start = match runners::start_warm(&mut a.op, &plan, &now_ms().to_string()).await {
        Ok(s) => s,
        Err(e) => return Err(fail("warm", &e)),
    };
    let started = &start.runs;
    eprintln!("wpops warm: started {} warmer tasks", started.len());
    let ids: Vec<&str> = started.iter().map(|s| crate::model::short_task_id(&s.run_task_arn)).collect();
    let left = Left {
        watched: start.watched.clone(),
        goes_on: format!("warmer tasks {} for {}/{} run on", ids.join(" "), a.op.cluster, a.op.service),
    };
    if let Some(sig) = signals.pending() {
        return Err(a.interrupted(sig, &left));
    }
    if !args.act.wait {
        return Ok(a.finish(true, &format!("started {}", ids.join(" ")), json!({"started": started})));
    }
    let following = runners::follow_warm(&a.op, &plan, &start, a.timeout, Duration::from_secs(2), |r| {
        eprintln!("{:>5.1}s {} {}", r.elapsed_ms as f64 / 1000.0, task_prefix(&r.target.task_id), r.outcome);
    });
    let outcome = tokio::select! {
        o = following => o,
        sig = signals.recv() => return Err(a.interrupted(sig, &left)),
    };
    let results = match outcome {
        Ok(r) => r,
        Err(e) => return Err(fail("warm", &e)),
    };
    let summary = WarmRunSummary::of(&results);
    if args.act.output == Output::Text {
        let mut rows = vec![vec!["TASK".to_string(), "IP".into(), "RESULT".into()]];
        for r in &results {
            rows.push(vec![task_prefix(&r.target.task_id).to_string(), r.target.ip.clone(), r.outcome.to_string()]);
        }
        super::output::print_lines(&table(&rows));
    }
    Ok(a.finish(summary.ok(), &summary.to_string(), json!({"results": results})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_to_warm_is_an_outcome_not_a_usage_error() {
        let plan = runners::WarmPlan {
            targets: Vec::new(),
            task_definition: "wordpress-warmer".into(),
            warmer: None,
            missing: None,
            subnets: Vec::new(),
            security_groups: Vec::new(),
            running: 2,
        };
        let f = nothing_to_warm(&plan).expect("nothing to warm");
        assert_eq!(f.code, 1);
        assert_eq!(
            f.to_string(),
            "wpops warm: nothing to warm: 2 running tasks, none with a private IP in its attachments"
        );
    }
}
