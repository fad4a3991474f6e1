//! JSON Schemas (draft 2020-12) of every contract type, generated from the
//! Rust types. `cargo xtask schemas` writes them under `spec/schemas/`;
//! `cargo xtask schemas --check` fails when the committed files drift.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value};

use crate::config::ConfigData;
use crate::divergence::DivergenceFile;
use crate::families::FamilySpec;
use crate::manifest::AdapterManifest;
use crate::protocol::{ReadyResponse, Request, RunResponse, TimeResponse};
use crate::vector::VectorFile;
use crate::{Family, with_family_spec};

/// The `$id` prefix of every generated schema.
pub const ID_PREFIX: &str = "https://convert-parity.dev/spec/schemas/";

fn schema_for<T: JsonSchema>(path: &str) -> Value {
    let schema: Schema = SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>();
    let mut value = schema.to_value();
    if let Value::Object(map) = &mut value {
        // Put `$schema` and `$id` first for readers.
        let mut ordered = Map::new();
        if let Some(s) = map.remove("$schema") {
            ordered.insert("$schema".into(), s);
        }
        ordered.insert("$id".into(), Value::String(format!("{ID_PREFIX}{path}")));
        ordered.append(map);
        *map = ordered;
    }
    value
}

/// The input schema of a family.
pub fn family_input_schema(family: Family) -> Value {
    with_family_spec!(family, F => schema_for::<<F as FamilySpec>::Input>(
        &format!("families/{family}.input.schema.json")
    ))
}

/// The result schema of a family.
pub fn family_result_schema(family: Family) -> Value {
    with_family_spec!(family, F => schema_for::<<F as FamilySpec>::Result>(
        &format!("families/{family}.result.schema.json")
    ))
}

/// The schema of a vector file of one family: the generic vector file schema
/// with the family's input and result shapes in place of `input` and
/// `expected`.
pub fn vector_file_schema(family: Family) -> Value {
    let path = format!("vectors/{family}.schema.json");
    let mut root = schema_for::<VectorFile>(&path);
    let mut defs = root
        .get("$defs")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut embed = |mut schema: Value| -> Value {
        if let Value::Object(map) = &mut schema {
            if let Some(Value::Object(inner)) = map.remove("$defs") {
                defs.extend(inner);
            }
            map.remove("$schema");
            map.remove("$id");
        }
        schema
    };
    let input = embed(family_input_schema(family));
    let expected = embed(family_result_schema(family));
    if let Some(case) = defs.get_mut("Case").and_then(|c| c.get_mut("properties")) {
        case["input"] = input;
        case["expected"] = expected;
    }
    root["$defs"] = Value::Object(defs);
    if let Some(props) = root.get_mut("properties") {
        props["family"] = serde_json::json!({ "const": family.as_str() });
    }
    root
}

/// Every schema, as `(path relative to spec/schemas/, schema)`, sorted by path.
pub fn all_schemas() -> Vec<(String, Value)> {
    let mut out = vec![
        (
            "protocol/request.schema.json".to_owned(),
            schema_for::<Request>("protocol/request.schema.json"),
        ),
        (
            "protocol/ready.schema.json".to_owned(),
            schema_for::<ReadyResponse>("protocol/ready.schema.json"),
        ),
        (
            "protocol/run-response.schema.json".to_owned(),
            schema_for::<RunResponse>("protocol/run-response.schema.json"),
        ),
        (
            "protocol/time-response.schema.json".to_owned(),
            schema_for::<TimeResponse>("protocol/time-response.schema.json"),
        ),
        (
            "vectors/vector-file.schema.json".to_owned(),
            schema_for::<VectorFile>("vectors/vector-file.schema.json"),
        ),
        (
            "adapter-manifest.schema.json".to_owned(),
            schema_for::<AdapterManifest>("adapter-manifest.schema.json"),
        ),
        (
            "config.schema.json".to_owned(),
            schema_for::<ConfigData>("config.schema.json"),
        ),
        (
            "divergences.schema.json".to_owned(),
            schema_for::<DivergenceFile>("divergences.schema.json"),
        ),
    ];
    for &family in Family::ALL {
        out.push((
            format!("families/{family}.input.schema.json"),
            family_input_schema(family),
        ));
        out.push((
            format!("families/{family}.result.schema.json"),
            family_result_schema(family),
        ));
        out.push((
            format!("vectors/{family}.schema.json"),
            vector_file_schema(family),
        ));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Renders a schema the way it is committed: pretty JSON and a final newline.
pub fn render(schema: &Value) -> String {
    let mut text = serde_json::to_string_pretty(schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_has_an_id_and_draft() {
        let all = all_schemas();
        assert!(all.len() >= 6 + 3 * Family::ALL.len());
        for (path, schema) in &all {
            assert_eq!(
                schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
                "{path}"
            );
            assert_eq!(schema["$id"], format!("{ID_PREFIX}{path}"));
        }
    }

    #[test]
    fn family_vector_schema_embeds_the_input_shape() {
        let schema = vector_file_schema(Family::Hash);
        let input = &schema["$defs"]["Case"]["properties"]["input"];
        assert!(input["properties"]["seed"].is_object(), "{input}");
        assert_eq!(schema["properties"]["family"]["const"], "hash");
    }
}
