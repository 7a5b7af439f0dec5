//! The HTTP side: the routes, reading a request (its content type, the body limit, UTF-8),
//! running its work on a blocking thread within the concurrency limit, the answer and its
//! log line; serving until a shutdown signal, finishing the requests in flight.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use sha2::{Digest, Sha256};

use crate::input::error::did_you_mean;
use crate::input::source::{hex, position_at, SourceFile};

use super::error::{ApiError, BODY};
use super::log::RequestLog;
use super::request::Format;
use super::{Done, Endpoint, Service, ROUTES};

/// The router of a service: every route of [`ROUTES`], and JSON errors for an unknown path
/// (with the nearest route) or method. For embedding in an application's own axum server;
/// [`serve`] and [`spawn`] use it.
pub fn router(svc: Arc<Service>) -> Router {
    let mut r = Router::new();
    for &(method, path, ep) in ROUTES {
        let s = svc.clone();
        let h = move |req: Request| {
            let s = s.clone();
            async move { handle(s, ep, req).await }
        };
        r = r.route(path, if method == "GET" { get(h) } else { post(h) });
    }
    let s = svc.clone();
    let r = r.method_not_allowed_fallback(move |req: Request| {
        let s = s.clone();
        async move { refuse(&s, &req, wrong_method(&req), Instant::now()) }
    });
    r.fallback(move |req: Request| {
        let s = svc.clone();
        async move { refuse(&s, &req, no_route(&req), Instant::now()) }
    })
}

fn no_route(req: &Request) -> ApiError {
    let path = req.uri().path();
    let hint = did_you_mean(path, ROUTES.iter().map(|(_, p, _)| *p))
        .unwrap_or_else(|| "GET /openapi.json lists every endpoint".into());
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown-route",
        format!("no endpoint `{} {path}`", req.method()),
        Some(hint),
    )
}

fn wrong_method(req: &Request) -> ApiError {
    let path = req.uri().path();
    let allowed: Vec<&str> = ROUTES
        .iter()
        .filter(|(_, p, _)| *p == path)
        .map(|(m, _, _)| *m)
        .collect();
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        format!("`{path}` does not take {}", req.method()),
        Some(format!("use {}", allowed.join(" or "))),
    )
}

fn refuse(svc: &Service, req: &Request, e: ApiError, started: Instant) -> Response {
    let log = RequestLog::new(
        req.method().as_str(),
        req.uri().path(),
        e.status.as_u16(),
        started.elapsed(),
    );
    answer(svc, log, Err(e))
}

/// The body's size and hash, once read, for the log.
#[derive(Default)]
struct Read {
    bytes: usize,
    sha256: Option<String>,
}

async fn handle(svc: Arc<Service>, ep: Endpoint, req: Request) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let mut read = Read::default();
    let result = match ep {
        Endpoint::Profiles => Ok(svc.list("profiles")),
        Endpoint::Providers => Ok(svc.list("providers")),
        Endpoint::Requirements => Ok(svc.list("requirements")),
        Endpoint::Facts => Ok(svc.list("facts")),
        Endpoint::Params => Ok(svc.list("params")),
        Endpoint::Health => Ok(svc.list("healthz")),
        Endpoint::OpenApi => Ok(svc.list("openapi")),
        Endpoint::Score | Endpoint::Compare | Endpoint::Questions | Endpoint::Explain => {
            work(&svc, ep, req, started, &mut read).await
        }
    };
    let status = match &result {
        Ok(_) => 200,
        Err(e) => e.status.as_u16(),
    };
    let mut log = RequestLog::new(&method, &path, status, started.elapsed());
    log.bytes = read.bytes;
    log.body_sha256 = read.sha256;
    if let Ok(done) = &result {
        log = log.inputs(&done.inputs);
    }
    answer(&svc, log, result)
}

fn answer(svc: &Service, log: RequestLog, result: Result<Done, ApiError>) -> Response {
    if let Some(sink) = &svc.log {
        sink(&log);
    }
    let (status, body, busy) = match result {
        Ok(done) => (StatusCode::OK, done.json, false),
        Err(e) => (
            e.status,
            e.body(),
            e.status == StatusCode::SERVICE_UNAVAILABLE,
        ),
    };
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if busy {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    resp
}

/// A POST: the content type, the body within its limit, a place among the running
/// evaluations, then the work on a blocking thread.
async fn work(
    svc: &Arc<Service>,
    ep: Endpoint,
    req: Request,
    started: Instant,
    read: &mut Read,
) -> Result<Done, ApiError> {
    let format = content_type(&req)?;
    let bytes = body(req, svc.config.body_limit).await?;
    read.bytes = bytes.len();
    read.sha256 = Some(hex(&Sha256::digest(&bytes)));
    let file = SourceFile::from_text(BODY, utf8(&bytes)?);
    let slot = svc.admit()?;
    let until = started + svc.config.budget;
    let s = svc.clone();
    let job = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        s.evaluate(ep, &file, format, until)
    });
    match job.await {
        Ok(r) => r,
        // Only a bug gets here (the library does not panic on input): say so, not "bad input".
        Err(_) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the evaluation stopped unexpectedly",
            None,
        )),
    }
}

fn content_type(req: &Request) -> Result<Format, ApiError> {
    let Some(v) = req.headers().get(header::CONTENT_TYPE) else {
        return Ok(Format::Json);
    };
    let t = v
        .to_str()
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match t.as_str() {
        "application/json" => Ok(Format::Json),
        "application/yaml" | "application/x-yaml" | "text/yaml" => Ok(Format::Yaml),
        _ => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            format!("a body of type `{t}` cannot be read"),
            Some("send `Content-Type: application/json` or `application/yaml`".into()),
        )),
    }
}

async fn body(req: Request, limit: usize) -> Result<Bytes, ApiError> {
    let too_large = |size: Option<u64>| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            match size {
                Some(n) => format!("the body is {n} bytes, over the limit of {limit}"),
                None => format!("the body is over the limit of {limit} bytes"),
            },
            Some("no profile or evidence document needs this much; the limit is `labfit serve --body-limit`".into()),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large(declared));
    }
    axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|e| {
            let over = std::error::Error::source(&e)
                .and_then(|s| s.downcast_ref::<http_body_util::LengthLimitError>())
                .is_some();
            if over {
                too_large(None)
            } else {
                ApiError::bad_request(format!("the body could not be read: {e}"), None)
            }
        })
}

fn utf8(bytes: &[u8]) -> Result<String, ApiError> {
    match std::str::from_utf8(bytes) {
        Ok(t) => Ok(t.strip_prefix('\u{feff}').unwrap_or(t).to_owned()),
        Err(e) => {
            let valid = bytes.get(..e.valid_up_to()).unwrap_or_default();
            let prefix = String::from_utf8_lossy(valid);
            let (line, col) = position_at(&prefix, prefix.len());
            let at = SourceFile::from_text(BODY, prefix.as_ref()).location(line, col);
            Err(ApiError::syntax(&crate::input::error::InputError::invalid(
                at,
                "the body is not UTF-8 text",
                Some("send the body as UTF-8".into()),
            )))
        }
    }
}

/// Serves `svc` on `listener` until `shutdown` completes, then stops accepting connections
/// and finishes the requests in flight before returning.
pub async fn serve(
    listener: tokio::net::TcpListener,
    svc: Arc<Service>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    axum::serve(listener, router(svc))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

/// The runtime a service runs on: the default worker threads for connections, and one
/// blocking thread per evaluation worker ([`super::Config::workers`]); admitted evaluations
/// beyond them wait in the runtime's queue.
pub fn runtime(svc: &Service) -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .max_blocking_threads(svc.config.workers().max(1))
        .thread_name("labfit-serve")
        .build()
}

/// A service running on its own thread and runtime (for tests and embedders without a
/// runtime of their own): [`Running::addr`] is where it listens (bind port 0 for any free
/// one), [`Running::shutdown`] stops it as a signal would.
#[derive(Debug)]
pub struct Running {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

/// Starts `svc` on `addr` in the background.
pub fn spawn(svc: Service, addr: SocketAddr) -> io::Result<Running> {
    let rt = runtime(&svc)?;
    let listener = rt.block_on(tokio::net::TcpListener::bind(addr))?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let svc = Arc::new(svc);
    let thread = std::thread::Builder::new()
        .name("labfit-serve".into())
        .spawn(move || {
            rt.block_on(serve(listener, svc, async {
                let _ = stopped.await;
            }))
        })?;
    Ok(Running {
        addr,
        stop: Some(stop),
        thread: Some(thread),
    })
}

impl Running {
    /// Where the service listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections, finishes the requests in flight, and waits for the
    /// service to end.
    pub fn shutdown(mut self) -> io::Result<()> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(io::Error::other("the service's thread panicked")),
            None => Ok(()),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.stop_and_join();
    }
}
