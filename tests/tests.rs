//! The integration tests of exam-engine: one binary (see STYLE.md) whose
//! modules run the real `exam` binary on fixtures and the shipped bank.

mod analyze;
mod analyze_raw;
mod anywhere;
mod architecture;
mod assemble_properties;
mod assembly;
mod blueprint;
mod calibrate;
mod formats;
mod lms_service;
mod loft;
mod parquet_input;
mod pilot;
mod record_params;
mod reference_data;
mod report;
mod schema;
mod scoring;
mod standards;
mod theta;
mod tolerance;
mod trust;
mod util;
mod validate;
mod validate_lint;
