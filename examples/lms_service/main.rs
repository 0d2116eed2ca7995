//! A small LMS exam service on exam-engine (axum, tokio): on-the-fly forms
//! per attempt, scoring by handle, candidate reports, and the exposure
//! state saved to a file on shutdown and restored at start. Routes and
//! state are in `app.rs`.
//!
//! ```text
//! cargo run --example lms_service -- 127.0.0.1:8080 /tmp/exposure.json
//! curl -s -XPOST localhost:8080/attempts -d '{"candidate": "C-1"}'
//! curl -s -XPOST localhost:8080/attempts/<attempt>/submit -d '{"answers": [...]}'
//! ```
//!
//! The handle key is read from `EXAM_HANDLE_KEY` (32 hex digits); without
//! it the example makes one from the process's random hasher keys, so
//! handles change at every start (attempts do not survive a restart here).

mod app;

use exam_core::attempt::HandleKey;
use std::error::Error;
use std::hash::{BuildHasher, RandomState};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn handle_key() -> Result<HandleKey, Box<dyn Error + Send + Sync>> {
    match std::env::var("EXAM_HANDLE_KEY") {
        Ok(hex) => HandleKey::from_hex(&hex).ok_or_else(|| "EXAM_HANDLE_KEY: 32 hex digits".into()),
        Err(_) => {
            let (a, b) = (RandomState::new(), RandomState::new());
            let mut secret = [0u8; 16];
            secret[..8].copy_from_slice(&a.hash_one(1u8).to_le_bytes());
            secret[8..].copy_from_slice(&b.hash_one(2u8).to_le_bytes());
            Ok(HandleKey::new(secret))
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error + Send + Sync>> {
    let mut args = std::env::args().skip(1);
    let address = args.next().unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let state = PathBuf::from(args.next().unwrap_or_else(|| "exposure.json".to_owned()));
    let bank = Path::new(env!("CARGO_MANIFEST_DIR")).join("item-bank");
    let service = Arc::new(app::Service::new(&bank, "die-2026", handle_key()?, state)?);
    let listener = tokio::net::TcpListener::bind(&address).await?;
    println!("serving on {}", listener.local_addr()?);
    axum::serve(listener, app::router(service.clone()))
        .with_graceful_shutdown(async {
            // Without a signal handler there is nothing to wait for.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
        .await?;
    service.save()?;
    println!(
        "exposure state saved; {} score report(s) kept",
        service.reports().len()
    );
    Ok(())
}
