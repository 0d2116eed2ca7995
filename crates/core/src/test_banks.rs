//! Small banks built in memory for unit tests: one domain, one task.

use crate::bank::ItemBank;
use serde_json::{Value, json};

/// A bank of one domain (`d`) and one task (`T1`) holding `items` and `sets`
/// (JSON in the file format).
pub fn one_domain(items: Vec<Value>, sets: Vec<Value>) -> ItemBank {
    let json = json!({
        "jta": {"id": "j", "title": "Job", "version": "1", "source": "test",
                "domains": [{"id": "d", "name": "D", "competency": "c", "level": "advanced"}],
                "tasks": [{"id": "T1", "statement": "Do", "domain": "d",
                           "phase": "design", "source": "test"}]},
        "sets": sets,
        "items": items,
    });
    ItemBank::from_json(&json.to_string()).expect("a valid test bank")
}

/// An operational item of the bank of [`one_domain`] with options `A`,
/// `B`, ... holding `texts`: single choice when `key` holds one position,
/// multiple response with `select` otherwise.
pub fn choice_item(id: &str, stem: &str, texts: &[&str], key: &[usize]) -> Value {
    let ids = ["A", "B", "C", "D", "E", "F"];
    let options: Vec<Value> = texts
        .iter()
        .zip(ids)
        .map(|(text, id)| json!({"id": id, "text": text}))
        .collect();
    let mut item = json!({
        "id": id, "version": 1, "domain": "d", "level": "advanced",
        "phase": "design", "task": "T1", "status": "operational",
        "stem": stem, "options": options,
    });
    if let [k] = key {
        item["kind"] = "single_choice".into();
        item["key"] = ids[*k].into();
    } else {
        item["kind"] = "multiple_response".into();
        item["key"] = key.iter().map(|&k| ids[k]).collect();
        item["select"] = key.len().into();
    }
    item
}
