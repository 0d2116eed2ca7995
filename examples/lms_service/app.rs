//! The LMS service of `examples/lms_service`: its state and routes, kept
//! apart from `main` so the integration test serves the same router.
//!
//! - `POST /attempts` with `{"candidate": "C-1"}`: builds an on-the-fly
//!   form, counts it in the exposure state, stores the attempt's compact
//!   record and answers `201 {"attempt": ..., "view": <delivery view>}`.
//! - `POST /attempts/{attempt}/submit` with a candidate submission
//!   (answers by handle): scores it, keeps the full score report and
//!   answers `200 <candidate report>`.
//! - `DELETE /attempts/{attempt}`: abandons an unsubmitted attempt and
//!   releases its exposure.
//! - `GET /exposure`: forms delivered and the largest item exposure rate.
//!
//! Errors answer `{"code", "fault", "message"}` with 4xx when the caller is
//! at fault and 5xx when the server is. The exposure state is saved to a
//! file (whole or not at all) by [`Service::save`] and read back by
//! [`Service::new`].

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use exam_core::assembly::{AttemptRecord, ExposureState, LoftOptions, LoftPlan};
use exam_core::attempt::{CandidateSubmission, HandleKey};
use exam_core::bank::ItemBank;
use exam_core::error::{ApiError, ErrorBody, Fault, bounded};
use exam_core::ids::{CandidateId, ItemId};
use exam_core::irt::ItemParams;
use exam_scoring::candidate::score_attempt;
use exam_scoring::keyed::CompiledFormKey;
use exam_scoring::report::ScoreReport;
use exam_scoring::rules::ScoringRules;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// An open attempt: what the service keeps until the submission.
struct Open {
    candidate: CandidateId,
    record: AttemptRecord,
}

/// The service's state, shared by every request.
pub struct Service {
    plan: LoftPlan,
    rules: ScoringRules,
    params: HashMap<ItemId, ItemParams>,
    exposure: RwLock<ExposureState>,
    open: Mutex<HashMap<String, Open>>,
    /// Full score reports (in a real service: the results database).
    reports: Mutex<Vec<ScoreReport>>,
    next_seed: AtomicU64,
    state_file: PathBuf,
}

fn lock_error() -> Box<dyn Error + Send + Sync> {
    "a lock was poisoned".into()
}

impl Service {
    /// Loads the bank, compiles the LOFT plan for `blueprint` and restores
    /// the exposure state from `state_file` where it exists.
    pub fn new(
        bank_dir: &Path,
        blueprint: &str,
        handles: HandleKey,
        state_file: PathBuf,
    ) -> Result<Self, Box<dyn Error + Send + Sync>> {
        let bank = ItemBank::load(bank_dir)?;
        let blueprint = bank
            .blueprint(&blueprint.into())
            .ok_or_else(|| format!("the bank has no blueprint {blueprint}"))?
            .clone();
        let rules = ScoringRules::from_blueprint(&blueprint)?;
        let params = bank.irt_params()?;
        let options = LoftOptions {
            max_exposure_rate: 0.3,
            ..LoftOptions::default()
        };
        let plan = LoftPlan::new(Arc::new(bank), Arc::new(blueprint), &options, handles)?;
        let exposure: ExposureState = match std::fs::read_to_string(&state_file) {
            Ok(text) => serde_json::from_str(&text)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => ExposureState::default(),
            Err(e) => return Err(e.into()),
        };
        Ok(Self {
            plan,
            rules,
            params,
            next_seed: AtomicU64::new(exposure.forms_delivered),
            exposure: RwLock::new(exposure),
            open: Mutex::new(HashMap::new()),
            reports: Mutex::new(Vec::new()),
            state_file,
        })
    }

    /// Writes the exposure state to its file: a temporary file, then a
    /// rename, so a crash leaves the old state whole.
    pub fn save(&self) -> Result<(), Box<dyn Error + Send + Sync>> {
        let text = {
            let exposure = self.exposure.read().map_err(|_| lock_error())?;
            serde_json::to_string(&*exposure)?
        };
        let tmp = self.state_file.with_extension("json.tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, &self.state_file)?;
        Ok(())
    }

    /// The full score reports kept so far.
    pub fn reports(&self) -> Vec<ScoreReport> {
        self.reports.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

/// An error response: the error's body with 4xx or 5xx by its fault.
struct Failure(StatusCode, ErrorBody);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.0, axum::Json(self.1)).into_response()
    }
}

impl<E: ApiError> From<E> for Failure {
    fn from(e: E) -> Self {
        let status = match e.fault() {
            Fault::Caller => StatusCode::UNPROCESSABLE_ENTITY,
            Fault::Server => StatusCode::SERVICE_UNAVAILABLE,
        };
        Failure(status, ErrorBody::of(&e))
    }
}

fn caller(status: StatusCode, code: &'static str, message: &str) -> Failure {
    Failure(
        status,
        ErrorBody {
            code,
            fault: Fault::Caller,
            message: bounded(message),
        },
    )
}

fn internal() -> Failure {
    Failure(
        StatusCode::INTERNAL_SERVER_ERROR,
        ErrorBody {
            code: "internal",
            fault: Fault::Server,
            message: "internal error".to_owned(),
        },
    )
}

/// A JSON body, with a bounded message when it does not parse.
fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, Failure> {
    serde_json::from_slice(body)
        .map_err(|e| caller(StatusCode::BAD_REQUEST, "bad_request", &e.to_string()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAttempt {
    candidate: CandidateId,
}

#[derive(Serialize)]
struct Exposure {
    forms_delivered: u64,
    max_rate: f64,
}

async fn create(State(s): State<Arc<Service>>, body: Bytes) -> Result<Response, Failure> {
    let request: NewAttempt = parse(&body)?;
    let seed = s.next_seed.fetch_add(1, Ordering::Relaxed);
    // Assembly runs under the read lock (concurrently with other
    // requests); only the count takes the write lock.
    let attempt = {
        let exposure = s.exposure.read().map_err(|_| internal())?;
        s.plan.attempt(&exposure, seed)?
    };
    s.exposure
        .write()
        .map_err(|_| internal())?
        .record(&attempt.form);
    let id = attempt.form.id.to_string();
    s.open.lock().map_err(|_| internal())?.insert(
        id.clone(),
        Open {
            candidate: request.candidate,
            record: attempt.record,
        },
    );
    // `{"attempt": id, "view": view}`, the view written by `to_json` (its
    // shared texts copied, not escaped again).
    let mut created = b"{\"attempt\":".to_vec();
    serde_json::to_writer(&mut created, &id).map_err(|_| internal())?;
    created.extend_from_slice(b",\"view\":");
    attempt.view.write_json(&mut created);
    created.push(b'}');
    let json = [(header::CONTENT_TYPE, "application/json")];
    Ok((StatusCode::CREATED, json, created).into_response())
}

fn take_open(s: &Service, id: &str) -> Result<Open, Failure> {
    s.open
        .lock()
        .map_err(|_| internal())?
        .remove(id)
        .ok_or_else(|| {
            caller(
                StatusCode::NOT_FOUND,
                "unknown_attempt",
                "no open attempt with this id",
            )
        })
}

async fn submit(
    State(s): State<Arc<Service>>,
    UrlPath(id): UrlPath<String>,
    body: Bytes,
) -> Result<Response, Failure> {
    let sent: CandidateSubmission = parse(&body)?;
    let open = take_open(&s, &id)?;
    let scored = (|| {
        let (form, key) = s.plan.restore(&open.record)?;
        let scorer = CompiledFormKey::new(&form, &key, &s.rules, &s.params)?;
        Ok::<_, Failure>(score_attempt(
            &scorer,
            &form,
            s.plan.handles(),
            &open.candidate,
            &sent,
        )?)
    })();
    let report = match scored {
        Ok(report) => report,
        Err(failure) => {
            // The attempt stays open: the client may correct and resend.
            s.open.lock().map_err(|_| internal())?.insert(id, open);
            return Err(failure);
        }
    };
    let shown = report.candidate_view();
    s.reports.lock().map_err(|_| internal())?.push(report);
    Ok(axum::Json(shown).into_response())
}

async fn abandon(
    State(s): State<Arc<Service>>,
    UrlPath(id): UrlPath<String>,
) -> Result<StatusCode, Failure> {
    let open = take_open(&s, &id)?;
    let (form, _) = s.plan.restore(&open.record)?;
    s.exposure.write().map_err(|_| internal())?.release(&form);
    Ok(StatusCode::NO_CONTENT)
}

async fn exposure(State(s): State<Arc<Service>>) -> Result<axum::Json<Exposure>, Failure> {
    let e = s.exposure.read().map_err(|_| internal())?;
    Ok(axum::Json(Exposure {
        forms_delivered: e.forms_delivered,
        max_rate: e.max_rate(),
    }))
}

/// The service's routes.
pub fn router(service: Arc<Service>) -> Router {
    Router::new()
        .route("/attempts", post(create))
        .route("/attempts/{attempt}/submit", post(submit))
        .route("/attempts/{attempt}", delete(abandon))
        .route("/exposure", get(exposure))
        .with_state(service)
}
