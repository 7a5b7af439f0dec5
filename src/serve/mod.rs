//! `labfit serve`: the engine as an HTTP service (axum on tokio), for procurement and GRC
//! systems that call a service instead of running a command. Built with the `serve` feature.
//!
//! Everything is loaded once, when the [`Service`] is made: rules compiled, every built-in
//! profile bound and every built-in provider's evidence read, the lists rendered. A request
//! reads no file: it names built-in content by id or sends a profile or evidence document in
//! its body ([`request`]); it can never send rules. Each endpoint returns what the CLI's JSON
//! output is for the same inputs, byte for byte, rendered by the same functions.
//!
//! Limits ([`Config`]): the body size (413 beyond it), the evaluations running at once (503
//! beyond them) and a time budget per request that the rule sandbox enforces (rules still
//! running when it ends stop as rule errors, carried in the report like any other). Errors
//! are [`ApiError`]s, never a 500 for anything a client sends. Each request is passed to a log
//! callback once, as a [`RequestLog`] (no bodies); the library prints nothing.

pub mod error;
pub mod log;
pub mod openapi;
pub mod request;
mod run;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;

use crate::engine::error::Error;
use crate::engine::{Engine, Options};
use crate::evidence::Evidence;
use crate::input::source::{InputHash, SourceFile};
use crate::render::json;
use crate::report::explain;
use crate::score::BoundProfile;

pub use error::ApiError;
pub use log::RequestLog;
pub use request::Format;
pub use run::{router, runtime, serve, shutdown_signal, spawn, Running};

use request::{Doc, Eval};

/// The service's limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// The largest request body, in bytes (413 beyond it).
    pub body_limit: usize,
    /// Evaluations admitted at once, running or waiting for a worker; a request beyond them
    /// gets 503 at once.
    pub max_concurrent: usize,
    /// Evaluations running in parallel (0: one per core). The others wait: run all at once on
    /// fewer cores, each rule's wall-clock deadline would measure the wait, not the rule.
    pub workers: usize,
    /// How long a request may take, from its arrival, before the sandbox stops its rules.
    pub budget: Duration,
}

impl Config {
    /// 1 MiB bodies, 64 evaluations admitted, one worker per core, 5 seconds per request (a
    /// request of the built-in content needs milliseconds; a hostile rule is stopped by its
    /// own 500 ms deadline first).
    pub const DEFAULT: Config = Config {
        body_limit: 1024 * 1024,
        max_concurrent: 64,
        workers: 0,
        budget: Duration::from_secs(5),
    };

    /// The workers, with 0 resolved to the number of cores.
    pub fn workers(&self) -> usize {
        match self.workers {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => n,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config::DEFAULT
    }
}

/// What a request may do, one per route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// `POST /v1/score`: the report (`report/v1`).
    Score,
    /// `POST /v1/compare`: the comparison (`comparison/v1`).
    Compare,
    /// `POST /v1/questions`: the questionnaire (`questions/v1`).
    Questions,
    /// `POST /v1/explain`: the requirement tree.
    Explain,
    /// `GET /v1/profiles`.
    Profiles,
    /// `GET /v1/providers`.
    Providers,
    /// `GET /v1/requirements`.
    Requirements,
    /// `GET /v1/facts`.
    Facts,
    /// `GET /v1/params`.
    Params,
    /// `GET /healthz`.
    Health,
    /// `GET /openapi.json`.
    OpenApi,
}

/// Every route: method, path, endpoint. The router and the OpenAPI document are both built
/// from this table, and a test checks the document against the router.
pub const ROUTES: &[(&str, &str, Endpoint)] = &[
    ("POST", "/v1/score", Endpoint::Score),
    ("POST", "/v1/compare", Endpoint::Compare),
    ("POST", "/v1/questions", Endpoint::Questions),
    ("POST", "/v1/explain", Endpoint::Explain),
    ("GET", "/v1/profiles", Endpoint::Profiles),
    ("GET", "/v1/providers", Endpoint::Providers),
    ("GET", "/v1/requirements", Endpoint::Requirements),
    ("GET", "/v1/facts", Endpoint::Facts),
    ("GET", "/v1/params", Endpoint::Params),
    ("GET", "/healthz", Endpoint::Health),
    ("GET", "/openapi.json", Endpoint::OpenApi),
];

/// A log callback.
pub type LogSink = Arc<dyn Fn(&RequestLog) + Send + Sync>;

/// The engine with everything a request needs, loaded once.
pub struct Service {
    engine: Engine,
    config: Config,
    profiles: BTreeMap<String, BoundProfile>,
    providers: BTreeMap<String, Evidence>,
    lists: BTreeMap<&'static str, String>,
    running: AtomicUsize,
    log: Option<LogSink>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("config", &self.config)
            .field("profiles", &self.profiles.len())
            .field("providers", &self.providers.len())
            .finish_non_exhaustive()
    }
}

/// What a successful request returns: the JSON, and the inputs it was computed from (for the
/// log).
pub(crate) struct Done {
    pub(crate) json: String,
    pub(crate) inputs: Vec<InputHash>,
}

impl Service {
    /// Binds every built-in profile, reads every built-in provider and renders the lists;
    /// the first content error stops it.
    pub fn new(engine: Engine, config: Config) -> Result<Service, Error> {
        let mut profiles = BTreeMap::new();
        for id in engine.builtin_profiles() {
            profiles.insert(id.to_owned(), engine.builtin_profile(id)?);
        }
        let mut providers = BTreeMap::new();
        for id in engine.builtin_providers() {
            providers.insert(id.to_owned(), engine.provider(id)?);
        }
        let lists = BTreeMap::from([
            ("profiles", json::value(&engine.list_profiles()?)),
            ("providers", json::value(&engine.list_providers()?)),
            ("requirements", json::value(&engine.list_requirements())),
            ("facts", json::value(&engine.list_facts())),
            ("params", json::value(&engine.list_params())),
            ("openapi", openapi::document()),
            (
                "healthz",
                json::value(&serde_json::json!({
                    "status": "ok",
                    "labfit": env!("CARGO_PKG_VERSION"),
                })),
            ),
        ]);
        Ok(Service {
            engine,
            config,
            profiles,
            providers,
            lists,
            running: AtomicUsize::new(0),
            log: None,
        })
    }

    /// Calls `sink` once per request, after it is answered.
    #[must_use]
    pub fn with_log(mut self, sink: impl Fn(&RequestLog) + Send + Sync + 'static) -> Self {
        self.log = Some(Arc::new(sink));
        self
    }

    /// The limits.
    pub fn config(&self) -> Config {
        self.config
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// How many built-in profiles and providers were loaded.
    pub fn loaded(&self) -> (usize, usize) {
        (self.profiles.len(), self.providers.len())
    }

    fn list(&self, name: &str) -> Done {
        Done {
            json: self.lists.get(name).cloned().unwrap_or_default(),
            inputs: Vec::new(),
        }
    }

    /// Takes a place among the evaluations running, or says there is none.
    fn admit(self: &Arc<Self>) -> Result<Admitted, ApiError> {
        let before = self.running.fetch_add(1, Ordering::SeqCst);
        let slot = Admitted(self.clone());
        if before >= self.config.max_concurrent {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                format!(
                    "{} evaluations are running, the most this service runs at once",
                    self.config.max_concurrent
                ),
                Some("retry in a moment".into()),
            ));
        }
        Ok(slot)
    }

    fn options(&self, eval: &Eval) -> Result<Options, ApiError> {
        let assumptions = eval
            .assume
            .iter()
            .map(|a| self.engine.assumption(a))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ApiError::from_engine(&e))?;
        Ok(Options {
            as_of: eval.as_of,
            assumptions,
        })
    }

    fn profile(&self, d: Doc) -> Result<Cow<'_, BoundProfile>, ApiError> {
        match d {
            Doc::Id(id) => match self.profiles.get(&id) {
                Some(p) => Ok(Cow::Borrowed(p)),
                None => self.engine.builtin_profile(&id).map(Cow::Owned),
            },
            Doc::Document(f) => self.engine.profile_detached(f).map(Cow::Owned),
        }
        .map_err(|e| ApiError::from_engine(&e))
    }

    fn evidence(&self, d: Doc) -> Result<Cow<'_, Evidence>, ApiError> {
        match d {
            Doc::Id(id) => match self.providers.get(&id) {
                Some(e) => Ok(Cow::Borrowed(e)),
                None => self.engine.provider(&id).map(Cow::Owned),
            },
            Doc::Document(f) => self.engine.evidence_from(&f).map(Cow::Owned),
        }
        .map_err(|e| ApiError::from_engine(&e))
    }

    /// Runs one request's work (on a blocking thread): read the body, score, render.
    pub(crate) fn evaluate(
        &self,
        endpoint: Endpoint,
        body: &SourceFile,
        format: Format,
        until: Instant,
    ) -> Result<Done, ApiError> {
        if endpoint == Endpoint::Compare {
            return self.compare(body, format, until);
        }
        let fields = if endpoint == Endpoint::Explain {
            request::EXPLAIN
        } else {
            request::ONE
        };
        let req = request::one(body, format, fields)?;
        let profile = self.profile(req.profile)?;
        let evidence = self.evidence(req.evidence)?;
        let options = self.options(&req.eval)?;
        let prep = self
            .engine
            .prepare(&evidence, &options)
            .with_deadline(until);
        let report = self.engine.score_prepared(&profile, &prep);
        let json = match endpoint {
            Endpoint::Questions => json::questions(&report),
            Endpoint::Explain => {
                let e = explain::explain(&report, req.requirement.as_deref()).map_err(|e| {
                    let mut api = ApiError::from_engine(&Error::from(e));
                    api.status = StatusCode::NOT_FOUND;
                    api.code = "unknown-requirement";
                    api
                })?;
                json::explanation(&e)
            }
            _ => json::report(&report),
        };
        Ok(Done {
            json,
            inputs: documents(&report.inputs),
        })
    }

    fn compare(&self, body: &SourceFile, format: Format, until: Instant) -> Result<Done, ApiError> {
        let req = request::many(body, format)?;
        let profile = self.profile(req.profile)?;
        let mut given = Vec::with_capacity(req.evidence.len());
        for d in req.evidence {
            given.push(self.evidence(d)?.into_owned());
        }
        let gathered = self
            .engine
            .gather_loaded(given, req.builtin)
            .map_err(|e| ApiError::from_engine(&e))?;
        let options = self.options(&req.eval)?;
        let mut cmp = self
            .engine
            .compare_until(&profile, &gathered.evidence, &options, until);
        cmp.notes = gathered.notes;
        let mut inputs: Vec<InputHash> = cmp
            .reports
            .iter()
            .flat_map(|r| documents(&r.inputs))
            .collect();
        inputs.sort();
        inputs.dedup();
        Ok(Done {
            json: json::comparison(&cmp),
            inputs,
        })
    }
}

/// The profile and evidence inputs of a report: what a request chose (the rules are the
/// service's own).
fn documents(inputs: &[InputHash]) -> Vec<InputHash> {
    inputs
        .iter()
        .filter(|i| i.kind == "profile" || i.kind == "evidence")
        .cloned()
        .collect()
}

/// A place among the running evaluations, given back when dropped.
struct Admitted(Arc<Service>);

impl Drop for Admitted {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::SeqCst);
    }
}
