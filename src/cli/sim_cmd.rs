//! `wpops sim`: runs the simulator in the foreground until interrupted, and says how to point
//! the AWS CLI or an SDK at it.

use crate::sim::{self, Faults, SimOptions};

use super::args::SimArgs;
use super::exit;
use super::failure::{Failure, Outcome};

fn rate(name: &str, r: f64) -> Result<f64, String> {
    if (0.0..=1.0).contains(&r) { Ok(r) } else { Err(format!("--{name} must be between 0 and 1, got {r}")) }
}

pub async fn run(args: SimArgs, scenario: &str) -> Outcome {
    let faults = match (rate("throttle-rate", args.throttle_rate), rate("error-rate", args.error_rate)) {
        (Ok(throttle_rate), Ok(error_rate)) => Faults { throttle_rate, error_rate, latency_ms: args.latency_ms },
        (Err(e), _) | (_, Err(e)) => return Err(Failure::usage("sim", e)),
    };
    if args.latency_ms > sim::control::MAX_LATENCY_MS {
        return Err(Failure::usage(
            "sim",
            format!(
                "--latency-ms must be at most {} (10 minutes), got {}",
                sim::control::MAX_LATENCY_MS,
                args.latency_ms
            ),
        ));
    }
    // The same bounds as the control endpoint's POST /_sim/speed (it used to clamp silently).
    if let Err(e) = sim::control::check_speed(args.speed) {
        return Err(Failure::usage("sim", format!("--{e}")));
    }
    let opts = SimOptions {
        listen: args.listen,
        speed: args.speed,
        scenario: scenario.to_string(),
        seed: args.seed,
        faults,
        ..SimOptions::default()
    };
    let handle = match sim::start(opts).await {
        Ok(h) => h,
        Err(e) => return Err(Failure::usage("sim", e.to_string())),
    };
    let url = handle.endpoint_url();
    // Through the one writer: a banner nobody reads (a closed pipe) must not stop the simulator.
    super::output::print_lines(&[
        format!("wpops simulator: scenario {} ({})", handle.shared.scenario.name, handle.shared.scenario.description),
        format!("listening on {url}  (speed {}x, seed {})", args.speed, args.seed),
        String::new(),
        "Any credentials work; the account is the first 12 digits of the access key id:".into(),
        "  export AWS_ACCESS_KEY_ID=ASIA123456789012DEMO AWS_SECRET_ACCESS_KEY=demo AWS_REGION=ap-northeast-1 AWS_DEFAULT_REGION=ap-northeast-1".into(),
        format!("  aws --endpoint-url {url} ecs describe-services --cluster wp-prod --services wordpress"),
        format!("  aws --endpoint-url {url} logs filter-log-events --log-group-name /ecs/wordpress --limit 5"),
        format!("Control (not AWS): curl {url}/_sim/status · curl -X POST {url}/_sim/pause | resume | advance?seconds=60"),
        format!("                   curl -X POST {url}/_sim/faults -d '{{\"throttle_rate\":0.3}}' · curl {url}/_sim/requests"),
        "Ctrl-C stops it.".into(),
    ]);
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("wpops sim: cannot wait for Ctrl-C: {e}");
    }
    drop(handle);
    Ok(exit::OK)
}
