//! The LMS service example (`examples/lms_service`) served on 127.0.0.1 and
//! driven by a bounded HTTP client: 500 attempts, every delivery view and
//! candidate report checked for leaks (keys, rationales, roles, credits,
//! bank ids), typed errors with bounded messages, and the exposure state
//! saved on shutdown and restored at the next start.

#[path = "../examples/lms_service/app.rs"]
mod app;

use exam_core::attempt::HandleKey;
use exam_core::bank::ItemBank;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Field names no candidate-facing document may carry.
const SECRET_FIELDS: [&str; 12] = [
    "key",
    "rationale",
    "role",
    "credit",
    "points",
    "weight",
    "stats",
    "item",
    "items_scored",
    "set",
    "audit",
    "version",
];

/// Every field name and every string value in a JSON document.
fn tokens(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                tokens(v, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| tokens(v, out)),
        Value::String(s) => out.push(s.clone()),
        _ => {}
    }
}

/// Panics if `doc` names a secret field or a bank item or set id.
fn assert_no_leak(what: &str, doc: &Value, bank_ids: &HashSet<String>) {
    let mut all = Vec::new();
    tokens(doc, &mut all);
    for t in &all {
        assert!(!SECRET_FIELDS.contains(&t.as_str()), "{what} carries `{t}`");
        assert!(!bank_ids.contains(t), "{what} names bank id `{t}`");
    }
}

/// A running service: its address and the way to stop it.
struct Running {
    address: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    done: tokio::task::JoinHandle<std::io::Result<()>>,
    service: Arc<app::Service>,
}

fn start(rt: &tokio::runtime::Runtime, state: PathBuf) -> Running {
    let bank = Path::new(env!("CARGO_MANIFEST_DIR")).join("item-bank");
    let service = Arc::new(
        app::Service::new(&bank, "die-2026", HandleKey::new([4; 16]), state)
            .expect("the service starts"),
    );
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("a loopback port");
    let address = listener.local_addr().expect("a bound address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server =
        axum::serve(listener, app::router(service.clone())).with_graceful_shutdown(async move {
            let _ = stopped.await;
        });
    let done = rt.spawn(async move { server.await });
    Running {
        address,
        stop,
        done,
        service,
    }
}

/// A bounded client: one agent, 10 s per request, statuses as values.
struct Client {
    agent: ureq::Agent,
    base: String,
}

impl Client {
    fn new(address: SocketAddr) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(10)))
            .http_status_as_error(false)
            .build()
            .into();
        Self {
            agent,
            base: format!("http://{address}"),
        }
    }

    fn send(&self, method: &str, path: &str, body: Option<String>) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let response = match (method, body) {
            ("POST", Some(b)) => self
                .agent
                .post(&url)
                .header("content-type", "application/json")
                .send(b),
            ("DELETE", _) => self.agent.delete(&url).call(),
            _ => self.agent.get(&url).call(),
        };
        let mut response = response.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().expect("a text body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// Answers a delivered item as a client would, without knowing the key:
/// the first option(s), the delivered order, prompts matched in order.
fn answer(item: &Value) -> Value {
    let ids = |field: &str| -> Vec<Value> {
        item[field]
            .as_array()
            .map(|a| a.iter().map(|o| o["id"].clone()).collect())
            .unwrap_or_default()
    };
    let options = ids("options");
    match item["kind"].as_str().expect("an item kind") {
        "single_choice" => json!({"selected": [options[0]]}),
        "multiple_response" => {
            let n = item["select"].as_u64().unwrap_or(2) as usize;
            json!({"selected": options[..n.min(options.len())]})
        }
        "ordering" => json!({"ordered": options}),
        _ => {
            let pairs: Vec<Value> = ids("prompts")
                .into_iter()
                .zip(options)
                .map(|(p, o)| json!({"prompt": p, "option": o}))
                .collect();
            json!({"matched": pairs})
        }
    }
}

#[test]
fn five_hundred_attempts_through_the_service_leak_nothing() {
    let bank = ItemBank::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("item-bank")).unwrap();
    let mut bank_ids: HashSet<String> = bank.items().iter().map(|i| i.id.to_string()).collect();
    bank_ids.extend(bank.sets().iter().map(|s| s.id.to_string()));
    let dir = std::env::temp_dir().join(format!("exam-lms-service-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("exposure.json");
    let _ = std::fs::remove_file(&state);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    let running = start(&rt, state.clone());
    let client = Client::new(running.address);
    let mut passed = 0;
    for i in 0..500 {
        let (status, created) = client.send(
            "POST",
            "/attempts",
            Some(json!({"candidate": format!("C-{i:04}")}).to_string()),
        );
        assert_eq!(status, 201, "{created}");
        let view = &created["view"];
        assert_no_leak("delivery view", view, &bank_ids);
        let attempt = created["attempt"].as_str().unwrap();
        let items = view["items"].as_array().unwrap();
        assert_eq!(items.len(), 70);
        let answers: Vec<Value> = items
            .iter()
            .enumerate()
            .map(|(k, item)| {
                let given = if (k + i) % 10 == 0 {
                    json!("omitted")
                } else {
                    answer(item)
                };
                json!({"handle": item["handle"], "answer": given})
            })
            .collect();
        let submission = json!({"answers": answers});
        assert_no_leak("candidate submission", &submission, &bank_ids);
        let path = format!("/attempts/{attempt}/submit");
        if i == 0 {
            // Typed errors, and the attempt stays open for a corrected
            // resend.
            let (status, e) = client.send("POST", &path, Some(r#"{"answers": []}"#.into()));
            assert_eq!(
                (status, e["code"].as_str()),
                (422, Some("empty_not_declared"))
            );
            let bad = json!({"answers": [{"handle": "0000000000000000", "answer": "omitted"}]});
            let (status, e) = client.send("POST", &path, Some(bad.to_string()));
            assert_eq!((status, e["code"].as_str()), (422, Some("unknown_handle")));
            assert_no_leak("error", &e, &bank_ids);
            let huge = json!({"candidate": "x".repeat(1 << 20)}).to_string();
            let (status, e) = client.send("POST", "/attempts", Some(huge));
            assert_eq!((status, e["code"].as_str()), (400, Some("bad_request")));
            assert!(e["message"].as_str().unwrap().len() <= 512, "{e}");
            let (status, _) = client.send(
                "POST",
                "/attempts/nope/submit",
                Some(r#"{"answers": [], "blank": true}"#.into()),
            );
            assert_eq!(status, 404);
        }
        let (status, report) = client.send("POST", &path, Some(submission.to_string()));
        assert_eq!(status, 200, "{report}");
        assert_no_leak("candidate report", &report, &bank_ids);
        assert_eq!(report["max"], 60.0);
        passed += usize::from(report["passed"] == true);
    }
    // An abandoned attempt gives its exposure back.
    let (_, created) = client.send("POST", "/attempts", Some(r#"{"candidate": "C-x"}"#.into()));
    let attempt = created["attempt"].as_str().unwrap();
    let (status, _) = client.send("DELETE", &format!("/attempts/{attempt}"), None);
    assert_eq!(status, 204);
    let (_, exposure) = client.send("GET", "/exposure", None);
    assert_eq!(exposure["forms_delivered"], 500);
    assert_eq!(running.service.reports().len(), 500);
    eprintln!(
        "500 attempts served; {passed} passed; largest exposure {}",
        exposure["max_rate"]
    );

    // Shut down, save, and start again from the saved state.
    running.stop.send(()).unwrap();
    rt.block_on(running.done).unwrap().unwrap();
    running.service.save().unwrap();
    let restarted = start(&rt, state.clone());
    let (_, exposure) = Client::new(restarted.address).send("GET", "/exposure", None);
    assert_eq!(exposure["forms_delivered"], 500);
    restarted.stop.send(()).unwrap();
    rt.block_on(restarted.done).unwrap().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}
