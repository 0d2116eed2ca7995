//! The test-wise cue audit as a human table (`exam validate --lint`): each
//! strategy's expected score against chance per scope, then where the keys
//! sit (position and length rank). Its JSON form is the serde form of
//! [`CueAudit`].

use crate::table::Table;
use exam_core::cues::{CueAudit, CueScope, Strategy};
use std::io::Write;

/// The audited scopes with their row labels: the bank, each kind, each domain.
fn scopes(audit: &CueAudit) -> Vec<(String, &CueScope)> {
    let mut scopes = vec![("bank".to_owned(), &audit.bank)];
    scopes.extend(
        audit
            .kinds
            .iter()
            .map(|k| (format!("kind {}", k.kind), &k.scope)),
    );
    scopes.extend(
        audit
            .domains
            .iter()
            .map(|d| (format!("domain {}", d.domain), &d.scope)),
    );
    scopes
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "-".to_owned()
    } else {
        format!("{:.0}%", 100.0 * part as f64 / whole as f64)
    }
}

/// Writes the two tables of the audit.
pub fn write_cue_audit(out: &mut impl Write, audit: &CueAudit) -> std::io::Result<()> {
    let scopes = scopes(audit);
    let mut headers = vec!["scope".to_owned(), "items".to_owned(), "chance".to_owned()];
    headers.extend(Strategy::ALL.iter().map(|s| s.as_str().to_owned()));
    let mut scores = Table::new(headers);
    for (label, scope) in &scopes {
        let mut row = vec![
            label.clone(),
            scope.items.to_string(),
            format!("{:.1}%", scope.chance * 100.0),
        ];
        row.extend(
            scope
                .strategies
                .iter()
                .map(|s| format!("{:.1}% ({:+.1})", s.score * 100.0, s.advantage * 100.0)),
        );
        scores.row(row);
    }
    writeln!(
        out,
        "Test-wise cue audit (operational and pretest items; expected score, points over chance)"
    )?;
    write!(out, "{}", scores.render())?;

    let positions = scopes
        .iter()
        .map(|(_, s)| s.key_positions.len())
        .chain(scopes.iter().map(|(_, s)| s.key_length_ranks.len()))
        .max()
        .unwrap_or(0);
    let mut headers = vec!["scope".to_owned(), "keys".to_owned()];
    headers.extend(('A'..='Z').take(positions).map(|c| format!("at {c}")));
    headers.extend((1..=positions).map(|r| format!("rank {r}")));
    let mut keys = Table::new(headers);
    for (label, scope) in &scopes {
        let total: usize = scope.key_positions.iter().sum();
        let cell = |counts: &[usize], i: usize| percent(counts.get(i).copied().unwrap_or(0), total);
        let mut row = vec![label.clone(), total.to_string()];
        row.extend((0..positions).map(|i| cell(&scope.key_positions, i)));
        row.extend((0..positions).map(|i| cell(&scope.key_length_ranks, i)));
        keys.row(row);
    }
    writeln!(
        out,
        "\nKeyed options by position and by length rank (rank 1 = longest option)"
    )?;
    write!(out, "{}", keys.render())?;
    writeln!(out)
}
