//! The readable case sources in `vectors/src/<family>/<name>.json` and their
//! expansion into concrete cases (see `vectors/README.md`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use convert_spec::compare::Comparisons;
use convert_spec::{Family, Requirements};
use serde::Deserialize;
use serde_json::{Map, Value};

/// One source file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceFile {
    /// The family of every case.
    pub family: Family,
    /// What the file covers.
    pub description: String,
    /// The adapter folder whose answers become the expected values.
    #[serde(default = "default_oracle")]
    pub oracle: String,
    /// Spec clauses every case exercises.
    #[serde(default)]
    pub spec_refs: Vec<String>,
    /// Notes copied into the generated file's provenance.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Comparison rules of every case (copied into the generated file).
    #[serde(default)]
    pub compare: Comparisons,
    /// The cases (some with a matrix).
    pub cases: Vec<SourceCase>,
}

fn default_oracle() -> String {
    "js".to_owned()
}

/// One source case, possibly a matrix of cases.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceCase {
    /// Id, with `{axis}` placeholders when there is a matrix.
    pub id: String,
    /// Description, with `{axis}` placeholders when there is a matrix.
    pub description: String,
    /// Extra spec clauses.
    #[serde(default)]
    pub spec_refs: Vec<String>,
    /// Declared requirements.
    #[serde(default)]
    pub requires: Requirements,
    /// Comparison rules of this case (of each case of its matrix).
    #[serde(default)]
    pub compare: Comparisons,
    /// Axes: name → (label → value).
    #[serde(default)]
    pub matrix: Option<BTreeMap<String, Map<String, Value>>>,
    /// The input (a template when there is a matrix).
    pub input: Value,
}

/// A concrete case, ready to be answered.
#[derive(Clone, Debug)]
pub struct ExpandedCase {
    pub id: String,
    pub description: String,
    pub spec_refs: Vec<String>,
    pub requires: Requirements,
    pub compare: Comparisons,
    pub input: Value,
}

/// A source file with its cases expanded.
#[derive(Debug)]
pub struct Expanded {
    /// The source path, relative to the repository root.
    pub source: PathBuf,
    /// The output file stem (same as the source's).
    pub stem: String,
    pub file: SourceFile,
    pub cases: Vec<ExpandedCase>,
}

/// Loads and expands every source under `dir`, checking ids.
pub fn load_all(root: &Path, dir: &Path) -> Result<Vec<Expanded>> {
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for path in crate::util::files_with_extension(dir, "json")? {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let mut de = serde_json::Deserializer::from_str(&text);
        let file: SourceFile = serde_path_to_error::deserialize(&mut de)
            .map_err(|e| anyhow::anyhow!("{}: at {}: {}", path.display(), e.path(), e.inner()))?;
        let folder = path
            .parent()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if folder != file.family.as_str() {
            bail!(
                "{}: declares family `{}` but is in the `{folder}` folder",
                path.display(),
                file.family
            );
        }
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let mut cases = Vec::new();
        for (i, case) in file.cases.iter().enumerate() {
            for expanded in expand(case)
                .with_context(|| format!("{}: cases[{i}] (`{}`)", path.display(), case.id))?
            {
                check_id(file.family, &expanded.id)
                    .with_context(|| format!("{}: case `{}`", path.display(), expanded.id))?;
                if let Some(first) = seen.insert(expanded.id.clone(), path.clone()) {
                    bail!(
                        "case id `{}` appears twice: in {} and in {}",
                        expanded.id,
                        first.display(),
                        path.display()
                    );
                }
                cases.push(expanded);
            }
        }
        let source = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        out.push(Expanded {
            source,
            stem,
            file,
            cases,
        });
    }
    Ok(out)
}

fn check_id(family: Family, id: &str) -> Result<()> {
    let prefix = format!("{family}/");
    if !id.starts_with(&prefix) {
        bail!("id must start with `{prefix}`");
    }
    if !id
        .bytes()
        .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'/' | b'-'))
    {
        bail!("id may only use the characters [a-z0-9._/-]");
    }
    convert_spec::vector::check_case_id(id).map_err(|why| anyhow::anyhow!("id {why}"))?;
    Ok(())
}

/// Expands one source case: one case without a matrix, the cartesian product
/// of the axes with one.
pub fn expand(case: &SourceCase) -> Result<Vec<ExpandedCase>> {
    let Some(matrix) = &case.matrix else {
        return Ok(vec![ExpandedCase {
            id: case.id.clone(),
            description: case.description.clone(),
            spec_refs: case.spec_refs.clone(),
            requires: case.requires.clone(),
            compare: case.compare.clone(),
            input: case.input.clone(),
        }]);
    };
    let mut combos: Vec<Vec<(&str, &str, &Value)>> = vec![Vec::new()];
    for (axis, labels) in matrix {
        if labels.is_empty() {
            bail!("matrix axis `{axis}` has no values");
        }
        let mut next = Vec::new();
        for combo in &combos {
            for (label, value) in labels {
                let mut c = combo.clone();
                c.push((axis.as_str(), label.as_str(), value));
                next.push(c);
            }
        }
        combos = next;
    }
    let mut out = Vec::with_capacity(combos.len());
    for combo in combos {
        let text = |template: &str| {
            combo
                .iter()
                .fold(template.to_owned(), |acc, (axis, label, _)| {
                    acc.replace(&format!("{{{axis}}}"), label)
                })
        };
        let id = text(&case.id);
        if id.contains('{') {
            bail!("id `{id}` still has a placeholder: every axis must be named in the id");
        }
        let input = substitute(&case.input, &combo);
        if let Some(left) = leftover_placeholder(&input) {
            bail!("case `{id}`: `{left}` names no matrix axis");
        }
        out.push(ExpandedCase {
            id,
            description: text(&case.description),
            spec_refs: case.spec_refs.clone(),
            requires: case.requires.clone(),
            compare: case.compare.clone(),
            input,
        });
    }
    Ok(out)
}

/// Fills a template: a string that is exactly `{{axis}}` becomes the axis
/// value (any JSON); `{{axis}}` inside a longer string, or in an object key,
/// becomes the value's text (a string as is, anything else as JSON).
fn substitute(template: &Value, combo: &[(&str, &str, &Value)]) -> Value {
    match template {
        Value::String(s) => {
            for (axis, _, value) in combo {
                if *s == format!("{{{{{axis}}}}}") {
                    return (*value).clone();
                }
            }
            Value::String(substitute_text(s, combo))
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| substitute(v, combo)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (substitute_text(k, combo), substitute(v, combo)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn substitute_text(template: &str, combo: &[(&str, &str, &Value)]) -> String {
    let mut text = template.to_owned();
    for (axis, _, value) in combo {
        let shown = match value {
            Value::String(v) => v.clone(),
            other => other.to_string(),
        };
        text = text.replace(&format!("{{{{{axis}}}}}"), &shown);
    }
    text
}

/// A `{{name}}` placeholder left in an expanded input (a key or a string),
/// which means the template names an axis the matrix does not have.
fn leftover_placeholder(value: &Value) -> Option<String> {
    fn find(text: &str) -> Option<String> {
        let start = text.find("{{")?;
        let end = text[start..].find("}}")? + start + 2;
        let name = &text[start + 2..end - 2];
        (!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            .then(|| text[start..end].to_owned())
    }
    match value {
        Value::String(s) => find(s),
        Value::Array(items) => items.iter().find_map(leftover_placeholder),
        Value::Object(map) => map
            .iter()
            .find_map(|(k, v)| find(k).or_else(|| leftover_placeholder(v))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_matrix_expands_to_its_product_with_values_and_labels() {
        let case: SourceCase = serde_json::from_value(json!({
            "id": "rule/x/{case}-{neg}",
            "description": "{case} {neg}",
            "matrix": {"case": {"upper": "US", "lower": "us"}, "neg": {"plain": false, "negated": true}},
            "input": {"n": "{{neg}}", "v": "{{case}}", "t": "country={{case}}"}
        }))
        .unwrap();
        let cases = expand(&case).unwrap();
        assert_eq!(cases.len(), 4);
        let c = cases
            .iter()
            .find(|c| c.id == "rule/x/lower-negated")
            .unwrap();
        assert_eq!(c.input, json!({"n": true, "v": "us", "t": "country=us"}));
        assert_eq!(c.description, "lower negated");
    }

    #[test]
    fn keys_are_templates_too_and_unknown_placeholders_are_refused() {
        let case: SourceCase = serde_json::from_value(json!({
            "id": "rule/x/{field}",
            "description": "d",
            "matrix": {"field": {"a": "experiences", "b": 7}},
            "input": {"config": {"{{field}}": "{{field}}"}}
        }))
        .unwrap();
        let inputs: Vec<_> = expand(&case)
            .unwrap()
            .into_iter()
            .map(|c| c.input)
            .collect();
        assert_eq!(
            inputs,
            [
                json!({"config": {"experiences": "experiences"}}),
                json!({"config": {"7": 7}})
            ]
        );
        let case: SourceCase = serde_json::from_value(json!({
            "id": "rule/x/{field}",
            "description": "d",
            "matrix": {"field": {"a": 1}},
            "input": {"v": "{{feld}}"}
        }))
        .unwrap();
        let err = expand(&case).unwrap_err().to_string();
        assert!(err.contains("{{feld}}"), "{err}");
    }

    #[test]
    fn an_axis_missing_from_the_id_is_an_error() {
        let case: SourceCase = serde_json::from_value(json!({
            "id": "rule/x/{case}", "description": "d",
            "matrix": {"case": {"a": 1}, "other": {"b": 2, "c": 3}},
            "input": {}
        }))
        .unwrap();
        // Both cases would share one id; the placeholder check does not see
        // that, the duplicate-id check in `load_all` does. Here: ids collide.
        let ids: Vec<_> = expand(&case).unwrap().into_iter().map(|c| c.id).collect();
        assert_eq!(ids, ["rule/x/a", "rule/x/a"]);
    }

    #[test]
    fn ids_must_carry_the_family_and_a_plain_charset() {
        assert!(check_id(Family::Rule, "rule/a/b-1.x_y").is_ok());
        assert!(check_id(Family::Rule, "hash/a").is_err());
        assert!(check_id(Family::Rule, "rule/A").is_err());
        assert!(check_id(Family::Rule, "rule/a b").is_err());
    }
}
