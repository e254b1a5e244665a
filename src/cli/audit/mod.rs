//! `wpops audit`: how the service is built, against the seed's practices. Reads through the one
//! reader (`feed::read`'s `ServiceReader::posture`: the task definition, the service's network,
//! the web ACL and its logging, the images in ECR) and judges with `model`'s posture rules;
//! renders text or the `wpops.audit/1` JSON (`view.rs`). Exit 0 when nothing critical or high
//! fails, 1 otherwise, 2/3 as every command; what could not be read is one line on stderr and
//! in `lacking` (its rules do not fire). Read-only: allowed under `--read-only`.

pub mod view;

use std::sync::Arc;

use crate::feed::budget::Budget;
use crate::feed::now_ms;
use crate::feed::read::ServiceReader;
use crate::model::findings::posture::posture_findings;

use super::args::{Global, Output, OutputArgs};
use super::connect;
use super::exit;
use super::failure::{Failure, Outcome};
use super::output::{self, Style};

pub async fn run(args: OutputArgs, global: &Global) -> Outcome {
    let session = connect::open("audit", global).await?;
    // The reader's log budget goes unused here: the audit reads no logs.
    let reader = ServiceReader::new(session.clients.clone(), Arc::new(Budget::new(5.0, 5.0)));
    let facts = match reader.posture(&session.site.cluster, &session.site.service).await {
        Ok(f) => f,
        Err(e) => return Err(Failure::aws("audit", &e, session.profile())),
    };
    let findings = posture_findings(&facts);
    for l in &findings.lacking {
        eprintln!("wpops audit: could not read {l}");
    }
    let code = if findings.fails() { exit::UNHEALTHY } else { exit::OK };
    let written = match args.output {
        Output::Json => output::print_json(&view::json(&session.site, &facts, &findings, now_ms())),
        Output::Text => output::print_lines(&view::text(&session.site, &facts, &findings, Style::detect())),
    };
    Ok(if written { code } else { exit::OK })
}
