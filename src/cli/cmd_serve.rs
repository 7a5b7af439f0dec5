//! `labfit serve`: the engine as an HTTP service (src/serve/). Prints the limits it runs
//! with, then one JSON line per request, on stderr; stops on Ctrl-C or SIGTERM after the
//! requests in flight.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use labfit::serve::{self, Config, Service};

use super::{output, report_error, Exit, RulesArgs};

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port, printed at start)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub rules: RulesArgs,
    /// Largest request body, in bytes
    #[arg(long = "body-limit", value_name = "BYTES", default_value_t = Config::DEFAULT.body_limit)]
    pub body_limit: usize,
    /// Evaluations admitted at once (running or waiting); a request beyond them gets 503
    #[arg(long = "max-concurrent", value_name = "N", default_value_t = Config::DEFAULT.max_concurrent)]
    pub max_concurrent: usize,
    /// Evaluations running in parallel (default: one per core)
    #[arg(long = "workers", value_name = "N")]
    pub workers: Option<usize>,
    /// Time one request may take before the sandbox stops its rules, in milliseconds
    #[arg(long = "budget-ms", value_name = "MS", default_value_t = Config::DEFAULT.budget.as_millis() as u64)]
    pub budget_ms: u64,
}

pub fn run(a: &ServeArgs) -> Exit {
    let engine = match a.rules.engine() {
        Ok(e) => e,
        Err(e) => return report_error(&e),
    };
    let config = Config {
        body_limit: a.body_limit,
        max_concurrent: a.max_concurrent.max(1),
        workers: a.workers.unwrap_or(0),
        budget: Duration::from_millis(a.budget_ms),
    };
    let checks = engine.graph().checks().len();
    let svc = match Service::new(engine, config) {
        Ok(s) => s.with_log(|line| output::eprint(&format!("{}\n", line.json_line()))),
        Err(e) => return report_error(&e),
    };
    let (profiles, providers) = svc.loaded();
    output::eprint(&format!(
        "labfit serve: {profiles} profiles, {providers} providers and {checks} compiled checks loaded\n  body limit    {} bytes (--body-limit)\n  evaluations   {} admitted at once (--max-concurrent), {} in parallel (--workers)\n  time budget   {} ms per request (--budget-ms)\n",
        config.body_limit,
        config.max_concurrent,
        config.workers(),
        config.budget.as_millis()
    ));
    let rt = match serve::runtime(&svc) {
        Ok(rt) => rt,
        Err(e) => {
            output::eprint(&format!("error: cannot start the runtime: {e}\n"));
            return Exit::Input;
        }
    };
    let served = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(a.addr)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", a.addr))?;
        if let Ok(addr) = listener.local_addr() {
            output::eprint(&format!(
                "listening on http://{addr} (Ctrl-C or SIGTERM to stop)\n"
            ));
        }
        serve::serve(listener, Arc::new(svc), serve::shutdown_signal())
            .await
            .map_err(|e| format!("the service stopped: {e}"))
    });
    match served {
        Ok(()) => {
            output::eprint("labfit serve: stopped\n");
            Exit::Ok
        }
        Err(m) => {
            output::eprint(&format!("error: {m}\n"));
            Exit::Input
        }
    }
}
