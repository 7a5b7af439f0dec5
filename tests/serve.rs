//! `labfit serve` from outside: a service on an ephemeral loopback port, called with a small
//! HTTP/1.1 client written here (std only). Each endpoint answers what the CLI's JSON output
//! is for the same inputs (byte for byte); every error status has its JSON body, with the
//! position in the body for a document, and no body gets a 500; the body limit holds; a
//! hostile rule pack's errors are carried in the report and the next request is served
//! normally; rules cannot be sent; the OpenAPI document lists exactly the routes; shutdown
//! finishes the requests in flight; and a bounded load test (1,000 requests, 64 in flight)
//! ends without an error.
#![cfg(feature = "serve")]
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stdout,
    reason = "test code fails loudly, and the load test prints its figures"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use labfit::serve::{self, Config, RequestLog, Running, Service};
use labfit::{Engine, EngineBuilder, Limits};

const AS_OF: &str = "2026-01-01";
const HOSTILE: &str = "tests/data/packs/hostile";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

type Logs = Arc<Mutex<Vec<RequestLog>>>;

fn start(config: Config, rules: Option<&str>) -> (Running, Logs) {
    let mut b = Engine::builder();
    if let Some(r) = rules {
        b = b.rules_dir(r);
    }
    serving(b, config)
}

/// The hostile pack with no operation limit, so that its endless loops run until the rule's
/// wall-clock deadline: a request that takes a second or more on any machine. Under the
/// default limits the loops end after a number of operations, which a fast machine gets
/// through in a few milliseconds, too quickly for a test to catch the request while it runs.
/// Strings are kept short, so that the loops that grow a map of long keys fail at once
/// instead of filling memory for as long as the deadline allows.
fn start_slow(config: Config) -> (Running, Logs) {
    let limits = Limits {
        max_operations: 0,
        max_string_size: 1024,
        ..Limits::DEFAULT
    };
    serving(Engine::builder().rules_dir(HOSTILE).limits(limits), config)
}

fn serving(b: EngineBuilder, config: Config) -> (Running, Logs) {
    let logs: Logs = Arc::default();
    let sink = logs.clone();
    let svc = Service::new(b.build().unwrap(), config)
        .unwrap()
        .with_log(move |l| sink.lock().unwrap().push(l.clone()));
    let running = serve::spawn(svc, "127.0.0.1:0".parse().unwrap()).unwrap();
    (running, logs)
}

/// One answer: status, headers (lowercase names), body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A keep-alive HTTP/1.1 connection.
struct Conn {
    reader: BufReader<TcpStream>,
}

impl Conn {
    fn open(addr: SocketAddr) -> Conn {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
        s.set_nodelay(true).unwrap();
        Conn {
            reader: BufReader::new(s),
        }
    }

    fn send(&mut self, method: &str, path: &str, ctype: Option<&str>, body: &[u8]) -> Answer {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\n");
        if let Some(t) = ctype {
            req.push_str(&format!("Content-Type: {t}\r\n"));
        }
        if method == "POST" {
            req.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        req.push_str("\r\n");
        let s = self.reader.get_mut();
        s.write_all(req.as_bytes()).unwrap();
        s.write_all(body).unwrap();
        self.read_answer()
    }

    fn read_answer(&mut self) -> Answer {
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        let status: u16 = line.split(' ').nth(1).unwrap().parse().unwrap();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            self.reader.read_line(&mut h).unwrap();
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            let (k, v) = h.split_once(':').unwrap();
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .map_or(0, |(_, v)| v.parse().unwrap());
        let mut body = vec![0; len];
        self.reader.read_exact(&mut body).unwrap();
        Answer {
            status,
            headers,
            body: String::from_utf8(body).unwrap(),
        }
    }
}

fn post(addr: SocketAddr, path: &str, body: &str) -> Answer {
    Conn::open(addr).send("POST", path, Some("application/json"), body.as_bytes())
}

fn post_as(addr: SocketAddr, path: &str, ctype: &str, body: &str) -> Answer {
    Conn::open(addr).send("POST", path, Some(ctype), body.as_bytes())
}

fn get(addr: SocketAddr, path: &str) -> Answer {
    Conn::open(addr).send("GET", path, None, b"")
}

/// The CLI's stdout for `args`, run in `dir`.
fn cli_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_labfit"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 3)),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn cli(args: &[&str]) -> String {
    cli_in(root(), args)
}

/// A directory where documents are written under the names the service gives them
/// (`body#/evidence`), so the CLI reads the same text under the same name.
fn docs_dir(test: &str, docs: &[(&str, &str)]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("serve")
        .join(test);
    for (name, text) in docs {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// A YAML file as a JSON document, keys in the file's order (`labfit` first).
fn as_json(path: &str) -> String {
    let v: yaml_serde::Value =
        yaml_serde::from_str(&std::fs::read_to_string(root().join(path)).unwrap()).unwrap();
    serde_json::to_string_pretty(&v).unwrap()
}

/// Equal texts, or a panic showing the first line that differs.
#[track_caller]
fn same(got: &str, want: &str) {
    if got == want {
        return;
    }
    let (g, w): (Vec<&str>, Vec<&str>) = (got.lines().collect(), want.lines().collect());
    let i = g
        .iter()
        .zip(&w)
        .position(|(a, b)| a != b)
        .unwrap_or(g.len().min(w.len()));
    let show = |v: &[&str]| v[i.saturating_sub(3)..(i + 3).min(v.len())].join("\n");
    panic!(
        "differ at line {} ({} vs {} lines):\n--- got\n{}\n--- want\n{}",
        i + 1,
        g.len(),
        w.len(),
        show(&g),
        show(&w)
    );
}

fn assert_error(a: &Answer, status: u16, code: &str) -> serde_json::Value {
    assert_eq!(a.status, status, "{}", a.body);
    assert_eq!(a.header("content-type"), Some("application/json"));
    let j = a.json();
    assert_eq!(j["code"], code, "{}", a.body);
    assert!(j["message"].as_str().is_some_and(|m| !m.is_empty()));
    let errors = j["errors"].as_array().expect("errors is a list");
    assert!(!errors.is_empty());
    for e in errors {
        assert!(e["message"].is_string());
        let keys: Vec<&String> = e.as_object().unwrap().keys().collect();
        assert!(
            keys.iter()
                .all(|k| ["message", "location", "hint"].contains(&k.as_str())),
            "{e}"
        );
        if let Some(l) = e.get("location") {
            assert!(l["line"].as_u64().unwrap() >= 1 && l["col"].as_u64().unwrap() >= 1);
        }
    }
    j
}

fn location(j: &serde_json::Value) -> (u64, u64) {
    let l = &j["errors"][0]["location"];
    (l["line"].as_u64().unwrap(), l["col"].as_u64().unwrap())
}

#[test]
fn each_endpoint_answers_what_the_cli_writes() {
    let (s, logs) = start(Config::default(), None);
    let addr = s.addr();
    let score = post(
        addr,
        "/v1/score",
        &format!(
            r#"{{"profile": "us-clinical-diagnostics", "evidence": "tencent-cloud", "as_of": "{AS_OF}", "assume": {{"contract.baa": true}}}}"#
        ),
    );
    assert_eq!(score.status, 200);
    same(
        &score.body,
        &cli(&[
            "score",
            "-p",
            "us-clinical-diagnostics",
            "-e",
            "tencent-cloud",
            "--as-of",
            AS_OF,
            "--assume",
            "contract.baa=true",
            "--format",
            "json",
        ]),
    );
    let questions = post(
        addr,
        "/v1/questions",
        &format!(r#"{{"profile": "base-lab", "evidence": "aws", "as_of": "{AS_OF}"}}"#),
    );
    same(
        &questions.body,
        &cli(&[
            "questions",
            "-p",
            "base-lab",
            "-e",
            "aws",
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ]),
    );
    for (body, args) in [
        (
            format!(
                r#"{{"profile": "gxp-qc-lab", "evidence": "google-cloud", "as_of": "{AS_OF}"}}"#
            ),
            vec![
                "explain",
                "-p",
                "gxp-qc-lab",
                "-e",
                "google-cloud",
                "--as-of",
                AS_OF,
                "--format",
                "json",
            ],
        ),
        (
            format!(
                r#"{{"profile": "gxp-qc-lab", "evidence": "google-cloud", "requirement": "part11", "as_of": "{AS_OF}"}}"#
            ),
            vec![
                "explain",
                "-p",
                "gxp-qc-lab",
                "-e",
                "google-cloud",
                "part11",
                "--as-of",
                AS_OF,
                "--format",
                "json",
            ],
        ),
    ] {
        let a = post(addr, "/v1/explain", &body);
        assert_eq!(a.status, 200, "{}", a.body);
        same(&a.body, &cli(&args));
    }
    let compare = post(
        addr,
        "/v1/compare",
        &format!(r#"{{"profile": "eu-clinical-lab", "as_of": "{AS_OF}"}}"#),
    );
    same(
        &compare.body,
        &cli(&[
            "compare",
            "-p",
            "eu-clinical-lab",
            "--as-of",
            AS_OF,
            "--format",
            "json",
            "--full",
        ]),
    );
    for what in ["profiles", "providers", "requirements", "facts", "params"] {
        let a = get(addr, &format!("/v1/{what}"));
        assert_eq!(a.status, 200);
        same(&a.body, &cli(&["list", what, "--format", "json"]));
    }
    assert_eq!(get(addr, "/healthz").json()["status"], "ok");
    // One log line per request, with the inputs' hashes and no body.
    let logs = logs.lock().unwrap();
    assert_eq!(logs.len(), 11);
    let first = &logs[0];
    assert_eq!(
        (first.method.as_str(), first.path.as_str(), first.status),
        ("POST", "/v1/score", 200)
    );
    assert!(first.body_sha256.is_some());
    assert!(first
        .inputs
        .iter()
        .any(|i| i.starts_with("evidence examples/providers/tencent-cloud.yaml ")));
    assert!(
        !first.json_line().contains("contract.baa"),
        "no body in the log"
    );
    drop(logs);
    s.shutdown().unwrap();
}

#[test]
fn documents_in_the_body_score_as_the_same_files_do() {
    let (s, _) = start(Config::default(), None);
    let addr = s.addr();
    // Evidence as JSON, a profile as a JSON document extending a built-in one.
    let evidence = as_json("examples/providers/aws.yaml");
    let profile = "{\"labfit\": \"profile/v1\", \"id\": \"my-lab\", \"title\": \"My lab\", \"extends\": \"us-clinical-diagnostics\"}";
    let body =
        format!("{{\"profile\": {profile},\n \"evidence\": {evidence}, \"as_of\": \"{AS_OF}\"}}");
    let a = post(addr, "/v1/score", &body);
    assert_eq!(a.status, 200, "{}", a.body);
    let dir = docs_dir(
        "json",
        &[("body#/evidence", &evidence), ("body#/profile", profile)],
    );
    let expected = cli_in(
        &dir,
        &[
            "score",
            "-p",
            "body#/profile",
            "-e",
            "body#/evidence",
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ],
    );
    same(&a.body, &expected);

    // Evidence as YAML, indented under its key: cut out, it is the file again.
    let text = std::fs::read_to_string(root().join("examples/providers/aws.yaml")).unwrap();
    let indented: String = text
        .lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_owned()
            } else {
                format!("  {l}\n")
            }
        })
        .collect();
    let yaml = format!("profile: base-lab\nas_of: {AS_OF}\nevidence:\n{indented}");
    let a = post_as(addr, "/v1/score", "application/yaml", &yaml);
    assert_eq!(a.status, 200, "{}", a.body);
    let dir = docs_dir("yaml", &[("body#/evidence", &text)]);
    same(
        &a.body,
        &cli_in(
            &dir,
            &[
                "score",
                "-p",
                "base-lab",
                "-e",
                "body#/evidence",
                "--as-of",
                AS_OF,
                "--format",
                "json",
            ],
        ),
    );

    // Compare: ids and a document that replaces a built-in provider.
    let body = format!("{{\"profile\": \"base-lab\", \"evidence\": [\"tencent-cloud\", {evidence}], \"builtin\": true, \"as_of\": \"{AS_OF}\"}}");
    let a = post(addr, "/v1/compare", &body);
    assert_eq!(a.status, 200, "{}", a.body);
    let dir = docs_dir("compare", &[("body#/evidence/1", &evidence)]);
    same(
        &a.body,
        &cli_in(
            &dir,
            &[
                "compare",
                "-p",
                "base-lab",
                "tencent-cloud",
                "body#/evidence/1",
                "--builtin",
                "--as-of",
                AS_OF,
                "--format",
                "json",
                "--full",
            ],
        ),
    );
    assert!(a.json()["notes"][0]
        .as_str()
        .unwrap()
        .contains("replaces the built-in evidence"));
    s.shutdown().unwrap();
}

#[test]
fn every_error_has_its_status_and_body() {
    let config = Config {
        body_limit: 4096,
        ..Config::default()
    };
    let (s, _) = start(config, None);
    let addr = s.addr();
    // 400: syntax, at its position; an unknown field; a missing one; a bad date.
    let j = assert_error(
        &post(
            addr,
            "/v1/score",
            "{\"profile\": \"base-lab\",\n  \"evidence\": aws}",
        ),
        400,
        "bad-request",
    );
    assert_eq!(location(&j), (2, 15));
    let j = assert_error(
        &post(
            addr,
            "/v1/score",
            "{\"profile\": \"base-lab\", \"evidence\": \"aws\", \"rules\": \"x\"}",
        ),
        400,
        "bad-request",
    );
    assert!(j["errors"][0]["hint"]
        .as_str()
        .unwrap()
        .contains("never rules"));
    assert_error(
        &post(addr, "/v1/score", "{\"evidence\": \"aws\"}"),
        400,
        "bad-request",
    );
    let j = assert_error(
        &post(
            addr,
            "/v1/score",
            "{\"profile\": \"base-lab\", \"evidence\": \"aws\",\n \"as_of\": \"2026-02-30\"}",
        ),
        400,
        "bad-request",
    );
    assert_eq!(location(&j), (2, 11));
    assert_error(&post(addr, "/v1/score", "{\"profile\": \"base-lab\", \"evidence\": \"aws\", \"assume\": {\"contract.bba\": true}}"), 400, "bad-request");
    let j = assert_error(
        &post_as(
            addr,
            "/v1/score",
            "application/yaml",
            "profile: base-lab\nevidence: [aws\n",
        ),
        400,
        "bad-request",
    );
    assert_eq!(location(&j).0, 3);
    // 404: an unknown id with the nearest one; a path is never read; an unknown requirement
    // or route.
    let j = assert_error(
        &post(
            addr,
            "/v1/score",
            "{\"profile\": \"base-lab\", \"evidence\": \"tencent-clod\"}",
        ),
        404,
        "unknown-provider",
    );
    assert_eq!(j["errors"][0]["hint"], "did you mean `tencent-cloud`?");
    let j = assert_error(
        &post(
            addr,
            "/v1/score",
            "{\"profile\": \"us-clinical-diagnostic\", \"evidence\": \"aws\"}",
        ),
        404,
        "unknown-profile",
    );
    assert_eq!(
        j["errors"][0]["hint"],
        "did you mean `us-clinical-diagnostics`?"
    );
    let j = assert_error(
        &post(
            addr,
            "/v1/score",
            "{\"profile\": \"base-lab\", \"evidence\": \"examples/providers/aws.yaml\"}",
        ),
        404,
        "unknown-provider",
    );
    assert!(j["errors"][0]["hint"]
        .as_str()
        .unwrap()
        .contains("no file is read"));
    let j = assert_error(&post(addr, "/v1/explain", "{\"profile\": \"base-lab\", \"evidence\": \"aws\", \"requirement\": \"base.q03_availabilty\"}"), 404, "unknown-requirement");
    assert_eq!(
        j["errors"][0]["hint"],
        "did you mean `base.q03_availability`?"
    );
    let j = assert_error(&get(addr, "/v1/provider"), 404, "unknown-route");
    assert_eq!(j["errors"][0]["hint"], "did you mean `/v1/providers`?");
    assert_error(&get(addr, "/v1/score"), 405, "method-not-allowed");
    // 413: declared or not.
    let big = format!(
        "{{\"profile\": \"base-lab\", \"evidence\": \"aws\", \"as_of\": \"{}\"}}",
        "x".repeat(5000)
    );
    assert_error(&post(addr, "/v1/score", &big), 413, "too-large");
    let mut c = Conn::open(addr);
    let stream = c.reader.get_mut();
    let chunk = "x".repeat(5000);
    write!(stream, "POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n", chunk.len()).unwrap();
    assert_error(&c.read_answer(), 413, "too-large");
    // 415.
    assert_error(
        &post_as(addr, "/v1/score", "text/plain", "{}"),
        415,
        "unsupported-media-type",
    );
    // 422: a document that parses but is not valid, at its position in the body, in JSON and
    // in YAML; a profile that extends a path; rules sent as evidence.
    let j = assert_error(&post(addr, "/v1/score", "{\"profile\": \"base-lab\",\n \"evidence\": {\"labfit\": \"evidence/v1\", \"id\": \"x\", \"provider\": \"X\", \"as_of\": \"2026-01-01\",\n   \"facts\": {\"contract.bba\": true}}}"), 422, "invalid-document");
    assert_eq!(location(&j), (3, 14));
    assert_eq!(j["errors"][0]["hint"], "did you mean `contract.baa`?");
    let j = assert_error(&post_as(addr, "/v1/score", "application/yaml", "profile: base-lab\nevidence:\n  labfit: evidence/v1\n  id: x\n  provider: X\n  as_of: 2026-01-01\n  facts:\n    contract.bba: true\n"), 422, "invalid-document");
    assert_eq!(location(&j), (8, 5));
    let j = assert_error(&post(addr, "/v1/score", "{\"evidence\": \"aws\",\n \"profile\": {\"labfit\": \"profile/v1\", \"id\": \"p\", \"title\": \"P\",\n  \"extends\": \"../profiles/base-lab.yaml\"}}"), 422, "invalid-document");
    assert_eq!(location(&j).0, 3);
    assert!(j["errors"][0]["hint"]
        .as_str()
        .unwrap()
        .contains("no file is read"));
    // Nothing a client sends causes a 500: odd shapes, nesting, bytes that are not UTF-8,
    // a YAML alias bomb, each on each endpoint that reads a body.
    let deep = format!("{}{}", "[".repeat(1500), "]".repeat(1500));
    let bomb = "profile: base-lab\nevidence:\n  a: &a [x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n  d: [*c, *c, *c, *c, *c, *c, *c, *c]\n";
    let odd: [(&str, &[u8]); 12] = [
        ("application/json", b""),
        ("application/json", b"null"),
        ("application/json", b"[]"),
        ("application/json", b"{\"profile\": 1, \"evidence\": [2]}"),
        ("application/json", b"{\"profile\": {}, \"evidence\": {}}"),
        ("application/json", b"{\"profile\": \"base-lab\", \"evidence\": \"aws\", \"assume\": {\"contract.baa\": null}, \"requirement\": 7}"),
        ("application/json", b"{\"profile\": \"base-lab\", \"evidence\": {\"labfit\": \"evidence/v1\"}}"),
        ("application/json", deep.as_bytes()),
        ("application/json", b"{\"profile\": \"\xff\xfe\"}"),
        ("application/yaml", bomb.as_bytes()),
        ("application/yaml", b"profile: !!binary AAAA\nevidence: [*x]\n"),
        ("application/yaml", b"--- a\n--- b\n"),
    ];
    for path in ["/v1/score", "/v1/questions", "/v1/explain", "/v1/compare"] {
        for (ctype, body) in odd {
            let a = Conn::open(addr).send("POST", path, Some(ctype), body);
            assert!(
                (400..500).contains(&a.status),
                "{path} {}: {} {}",
                String::from_utf8_lossy(&body[..body.len().min(60)]),
                a.status,
                a.body
            );
            assert!(a.json()["code"].is_string(), "{}", a.body);
        }
    }
    let catalog = std::fs::read_to_string(root().join(HOSTILE).join("catalog.yaml")).unwrap();
    let catalog: String = catalog
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("  {l}\n"))
        .collect();
    let j = assert_error(
        &post_as(
            addr,
            "/v1/score",
            "application/yaml",
            &format!("profile: base-lab\nevidence:\n{catalog}"),
        ),
        422,
        "invalid-document",
    );
    assert!(
        j["message"]
            .as_str()
            .unwrap()
            .contains("found `catalog/v1`"),
        "{j}"
    );
    s.shutdown().unwrap();
}

/// The hostile profile and the minimal evidence as a JSON body.
fn hostile_body() -> String {
    let profile = as_json("tests/data/profiles/hostile.yaml");
    let evidence = as_json("tests/data/evidence/minimal.yaml");
    format!("{{\"profile\": {profile}, \"evidence\": {evidence}, \"as_of\": \"{AS_OF}\"}}")
}

#[test]
fn a_hostile_rule_pack_is_answered_and_the_next_request_served() {
    let (s, _) = start(Config::default(), Some(HOSTILE));
    let addr = s.addr();
    let a = post(addr, "/v1/score", &hostile_body());
    assert_eq!(a.status, 200, "{}", a.body);
    let errors = a.json()["errors"].as_array().unwrap().len();
    assert!(
        errors >= 15,
        "the report carries the rule errors ({errors})"
    );
    let next = post(
        addr,
        "/v1/score",
        &format!(r#"{{"profile": "base-lab", "evidence": "aws", "as_of": "{AS_OF}"}}"#),
    );
    assert_eq!(next.status, 200);
    same(
        &next.body,
        &cli(&[
            "score", "-p", "base-lab", "-e", "aws", "--rules", HOSTILE, "--as-of", AS_OF,
            "--format", "json",
        ]),
    );
    s.shutdown().unwrap();

    // The time budget: the sandbox stops what is still running when it ends.
    let (s, _) = start_slow(Config {
        budget: Duration::from_millis(200),
        ..Config::default()
    });
    let t = Instant::now();
    let a = post(s.addr(), "/v1/score", &hostile_body());
    assert_eq!(a.status, 200);
    assert!(
        a.body.contains("the request's time budget ran out"),
        "{}",
        a.body
    );
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    s.shutdown().unwrap();
}

#[test]
fn a_full_service_answers_503_and_shutdown_finishes_what_runs() {
    let (s, logs) = start_slow(Config {
        max_concurrent: 1,
        ..Config::default()
    });
    let addr = s.addr();
    let slow = std::thread::spawn(move || post(addr, "/v1/score", &hostile_body()));
    // Give the slow request time to be admitted (its loops then run to their deadlines).
    std::thread::sleep(Duration::from_millis(200));
    let t = Instant::now();
    while logs.lock().unwrap().is_empty() && t.elapsed() < Duration::from_secs(10) {
        let a = post(
            addr,
            "/v1/score",
            r#"{"profile": "base-lab", "evidence": "aws"}"#,
        );
        if a.status == 503 {
            assert_eq!(a.header("retry-after"), Some("1"));
            assert_error(&a, 503, "busy");
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        logs.lock().unwrap().iter().any(|l| l.status == 503),
        "no 503 while the slow request ran"
    );
    // An idle keep-alive connection does not hold the shutdown up.
    let mut idle = Conn::open(addr);
    assert_eq!(idle.send("GET", "/healthz", None, b"").status, 200);
    // Shut down while the slow request runs: it is answered in full.
    let t = Instant::now();
    s.shutdown().unwrap();
    assert!(t.elapsed() < Duration::from_secs(30), "{:?}", t.elapsed());
    let a = slow.join().unwrap();
    assert_eq!(a.status, 200);
    assert!(a.json()["errors"].as_array().is_some_and(|e| !e.is_empty()));
    assert!(
        TcpStream::connect(addr).is_err(),
        "still listening after shutdown"
    );
}

#[test]
fn the_openapi_document_lists_exactly_the_routes() {
    let (s, _) = start(Config::default(), None);
    let addr = s.addr();
    let doc = get(addr, "/openapi.json").json();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut listed = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            listed.push((method.to_ascii_uppercase(), path.clone()));
        }
    }
    listed.sort();
    let mut routes: Vec<(String, String)> = serve::ROUTES
        .iter()
        .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    routes.sort();
    assert_eq!(listed, routes);
    // The router answers every route listed, and only with the method listed.
    for (method, path) in &listed {
        let a = Conn::open(addr).send(method, path, Some("application/json"), b"{}");
        assert!(
            ![404, 405].contains(&a.status),
            "{method} {path}: {}",
            a.status
        );
        let other = if method == "GET" { "POST" } else { "GET" };
        let a = Conn::open(addr).send(other, path, Some("application/json"), b"{}");
        assert_eq!(a.status, 405, "{other} {path}");
    }
    // Every schema reference resolves.
    let text = doc.to_string();
    for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = &part[..part.find('"').unwrap()];
        assert!(doc["components"]["schemas"].get(name).is_some(), "{name}");
    }
    s.shutdown().unwrap();
}

#[test]
fn the_command_prints_its_limits_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_labfit"))
        .args(["serve", "--addr", "127.0.0.1:0", "--max-concurrent", "8"])
        .current_dir(root())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut banner = String::new();
    let addr: SocketAddr = loop {
        let mut line = String::new();
        assert!(
            err.read_line(&mut line).unwrap() > 0,
            "ended early: {banner}"
        );
        banner.push_str(&line);
        if let Some(rest) = line.strip_prefix("listening on http://") {
            break rest.split_whitespace().next().unwrap().parse().unwrap();
        }
    };
    for limit in [
        "1048576 bytes",
        "8 admitted at once",
        "in parallel",
        "5000 ms",
    ] {
        assert!(banner.contains(limit), "{banner}");
    }
    assert_eq!(get(addr, "/healthz").status, 200);
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let log: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        (
            log["method"].as_str(),
            log["path"].as_str(),
            log["status"].as_u64()
        ),
        (Some("GET"), Some("/healthz"), Some(200))
    );
    assert!(log["ms"].is_number() && log["time"].is_string());
    // The README's curl call, as a newcomer copies it, is answered with a report.
    let (path, body) = readme_curl();
    let a = post(addr, &path, &body);
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.json()["labfit"], "report/v1");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    assert!(rest.contains("stopped"), "{rest}");
}

/// The path and the body of the README's `curl … -d '…'` call of the service (the
/// command and its continuation line joined).
fn readme_curl() -> (String, String) {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let at = readme
        .find("curl -s localhost:8080")
        .expect("the README shows how to call the service with curl");
    let call: String = readme[at..]
        .splitn(3, '\n')
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    let path = call["curl -s localhost:8080".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let body = call.split("-d '").nth(1).unwrap();
    (path, body[..body.find('\'').unwrap()].to_owned())
}

/// The bounded load test: 1,000 score requests over 64 keep-alive connections, each sending
/// its next request when the last is answered, so 64 are in flight; every answer must be the
/// same 200. Prints p50, p99 and throughput beside the CLI's time for one score, measured in
/// the same run (docs/performance.md has the figures of a release build).
#[test]
fn load_1000_requests_64_in_flight() {
    const REQUESTS: usize = 1000;
    const IN_FLIGHT: usize = 64;
    // A debug build scores some 20 times slower than a release build, so 64 evaluations at
    // once on a small machine can outlast the default budget there; the figures in
    // docs/performance.md are from a release build with the defaults.
    let config = Config {
        budget: if cfg!(debug_assertions) {
            Duration::from_secs(300)
        } else {
            Config::DEFAULT.budget
        },
        ..Config::default()
    };
    let (s, _) = start(config, None);
    let addr = s.addr();
    let body = format!(
        r#"{{"profile": "us-clinical-diagnostics", "evidence": "tencent-cloud", "as_of": "{AS_OF}"}}"#
    );
    let expected = post(addr, "/v1/score", &body).body;
    // One at a time first: the latency of a request that does not wait for a worker.
    let mut one = Conn::open(addr);
    let mut alone: Vec<Duration> = (0..20)
        .map(|_| {
            let t = Instant::now();
            assert_eq!(
                one.send(
                    "POST",
                    "/v1/score",
                    Some("application/json"),
                    body.as_bytes()
                )
                .status,
                200
            );
            t.elapsed()
        })
        .collect();
    alone.sort();
    drop(one);
    let started = Instant::now();
    let workers: Vec<_> = (0..IN_FLIGHT)
        .map(|w| {
            let body = body.clone();
            let expected = expected.clone();
            std::thread::spawn(move || {
                let mut conn = Conn::open(addr);
                let mut times = Vec::new();
                for _ in (w..REQUESTS).step_by(IN_FLIGHT) {
                    let t = Instant::now();
                    let a = conn.send(
                        "POST",
                        "/v1/score",
                        Some("application/json"),
                        body.as_bytes(),
                    );
                    times.push(t.elapsed());
                    assert!(a.status == 200, "{}", a.body);
                    if a.body != expected {
                        same(&a.body, &expected);
                    }
                }
                times
            })
        })
        .collect();
    let mut times: Vec<Duration> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let wall = started.elapsed();
    assert_eq!(times.len(), REQUESTS);
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 * p).ceil() as usize).min(times.len()) - 1];
    s.shutdown().unwrap();
    // The CLI, in the same run: one process per score.
    let runs = 5;
    let t = Instant::now();
    for _ in 0..runs {
        cli(&[
            "score",
            "-p",
            "us-clinical-diagnostics",
            "-e",
            "tencent-cloud",
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ]);
    }
    let per_cli = t.elapsed() / runs;
    println!(
        "load: {REQUESTS} requests, {IN_FLIGHT} in flight, {} build: p50 {:.1} ms, p99 {:.1} ms, {:.0} requests/s; one at a time {:.2} ms; CLI score {:.1} ms per run",
        if cfg!(debug_assertions) { "debug" } else { "release" },
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        REQUESTS as f64 / wall.as_secs_f64(),
        alone[alone.len() / 2].as_secs_f64() * 1e3,
        per_cli.as_secs_f64() * 1e3,
    );
}
