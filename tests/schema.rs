//! The committed JSON Schemas equal the ones generated from the types, and
//! `exam schema` prints them.

use crate::util::{check, exam};
use exam_core::schema::{SchemaKind, schema_json};

#[test]
fn committed_schemas_equal_the_generated_ones() {
    for kind in SchemaKind::ALL {
        check(
            &format!("item-bank/schema/{}", kind.file_name()),
            &schema_json(kind),
        );
    }
}

#[test]
fn exam_schema_prints_each_schema() {
    for kind in SchemaKind::ALL {
        let run = exam(&["schema", kind.name()]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.stdout, schema_json(kind));
        let schema = run.json();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
    }
}

#[test]
fn the_item_schema_closes_items_and_knows_the_four_kinds() {
    let schema: serde_json::Value = serde_json::from_str(&schema_json(SchemaKind::Item)).unwrap();
    let item = &schema["$defs"]["Item"];
    assert_eq!(item["unevaluatedProperties"], false);
    let kinds: Vec<&str> = item["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["properties"]["kind"]["const"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["single_choice", "multiple_response", "ordering", "matching"]
    );
}

#[test]
fn an_unknown_schema_is_a_usage_error() {
    let run = exam(&["schema", "form"]);
    assert_eq!(run.code, 2, "clap exits 2 on a usage error");
    assert!(
        run.stderr.contains("invalid value 'form'"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_blueprint_schema_takes_counts_as_numbers_or_ranges() {
    let schema: serde_json::Value =
        serde_json::from_str(&schema_json(SchemaKind::Blueprint)).unwrap();
    let defs = &schema["$defs"];
    let count = defs["Count"]["anyOf"].as_array().unwrap();
    assert_eq!(count[0]["type"], "integer");
    assert_eq!(count[1]["$ref"], "#/$defs/RangeText");
    let range = &defs["RangeText"];
    assert_eq!(range["additionalProperties"], false);
    assert!(range["properties"]["min"].is_object() && range["properties"]["max"].is_object());
    for level in ["foundational", "intermediate", "advanced"] {
        assert_eq!(
            defs["LevelCounts"]["properties"][level]["$ref"],
            "#/$defs/Count"
        );
    }
    let properties = &schema["properties"];
    for field in [
        "phases",
        "kinds",
        "max_mix_difference",
        "irt",
        "max_overlap",
        "max_item_uses",
        "information_target",
    ] {
        assert!(properties[field].is_object(), "{field}");
    }
}
