//! `cargo xtask docs [--check]`: the generated parts of the documentation.
//!
//! - Each spec page (`spec/<surface>.md`) ends with a section, between
//!   markers, that links the vector files whose cases cite the page's
//!   clauses (with counts per file and per clause) and the schemas of those
//!   families.
//! - `docs/reports.md` has a table of the JSON report's fields, generated
//!   from `spec/schemas/report.schema.json`.
//!
//! `--check` (part of `cargo xtask test`) writes nothing and fails when a
//! section would change.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use convert_spec::vector::VectorSet;
use serde_json::Value;

use crate::util::{FileStatus, ensure_file, project_root};

/// The spec pages' generated section.
const SPEC_BEGIN: &str = "<!-- generated: vectors and schemas (cargo xtask docs writes this section; do not edit it) -->";
const SPEC_END: &str = "<!-- end of generated section -->";

/// The report fields table in `docs/reports.md`.
const REPORT_BEGIN: &str = "<!-- generated: report fields (cargo xtask docs writes this table from spec/schemas/report.schema.json; do not edit it) -->";
const REPORT_END: &str = "<!-- end of generated report fields -->";

/// Schemas a page is about beyond those of the families that cite it.
const EXTRA_SCHEMAS: [(&str, &[&str]); 3] = [
    (
        "protocol.md",
        &[
            "protocol/request.schema.json",
            "protocol/ready.schema.json",
            "protocol/run-response.schema.json",
            "adapter-manifest.schema.json",
            "divergences.schema.json",
        ],
    ),
    ("config.md", &["config.schema.json"]),
    (
        "vocabulary.md",
        &["families/diagnostics.result.schema.json"],
    ),
];

/// Writes (or checks) every generated section.
pub fn run(check: bool) -> Result<()> {
    let root = project_root();
    let mut drifted = Vec::new();
    for (path, text) in generated(&root)? {
        if ensure_file(&path, &text, check)? == FileStatus::Changed {
            drifted.push(path);
        }
    }
    if check && !drifted.is_empty() {
        let mut message = String::from("generated documentation is out of date:\n");
        for path in &drifted {
            let _ = writeln!(message, "  would change: {}", relative(&root, path));
        }
        message.push_str("run `cargo xtask docs` and commit the result");
        bail!(message);
    }
    println!(
        "docs: generated sections {} ({} file(s) {})",
        if check { "up to date" } else { "written" },
        drifted.len(),
        if check { "to change" } else { "changed" }
    );
    Ok(())
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Every file with a generated section, as it should read.
fn generated(root: &Path) -> Result<Vec<(PathBuf, String)>> {
    let spec = root.join("spec");
    let pages = spec_pages(&spec)?;
    let set = VectorSet::load(&root.join("vectors/v1")).context("loading vectors/v1")?;
    // clause → page, from the `### id: title` headings.
    let mut page_of = BTreeMap::new();
    for (name, text) in &pages {
        for (id, _) in clauses(text) {
            page_of.insert(id, name.clone());
        }
    }
    // page → (vector file → (family, cases)), page → clause → cases.
    let mut files_of: BTreeMap<String, BTreeMap<String, (String, usize)>> = BTreeMap::new();
    let mut cases_of: BTreeMap<String, usize> = BTreeMap::new();
    for (path, file) in &set.files {
        let path = relative(root, path).replace('\\', "/");
        for case in &file.cases {
            let mut pages_cited = BTreeSet::new();
            for clause in file.spec_refs_of(case) {
                *cases_of.entry(clause.to_owned()).or_default() += 1;
                if let Some(page) = page_of.get(clause) {
                    pages_cited.insert(page.clone());
                }
            }
            for page in pages_cited {
                let entry = files_of
                    .entry(page)
                    .or_default()
                    .entry(path.clone())
                    .or_insert_with(|| (file.family.to_string(), 0));
                entry.1 += 1;
            }
        }
    }
    let mut out = Vec::new();
    for (name, text) in &pages {
        let section = spec_section(
            name,
            text,
            files_of.get(name),
            &cases_of,
            &spec.join("schemas"),
        );
        out.push((
            spec.join(name),
            replace_between(text, SPEC_BEGIN, SPEC_END, &section),
        ));
    }
    let reports = root.join("docs/reports.md");
    let text = std::fs::read_to_string(&reports)
        .with_context(|| format!("reading {}", reports.display()))?;
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(spec.join("schemas/report.schema.json"))
            .context("reading spec/schemas/report.schema.json")?,
    )?;
    let table = report_fields(&schema);
    if !text.contains(REPORT_BEGIN) {
        bail!("docs/reports.md has no `{REPORT_BEGIN}` marker");
    }
    out.push((
        reports,
        replace_between(&text, REPORT_BEGIN, REPORT_END, &table),
    ));
    Ok(out)
}

/// `spec/*.md` but the index, by file name.
fn spec_pages(spec: &Path) -> Result<Vec<(String, String)>> {
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(spec).with_context(|| format!("reading {}", spec.display()))? {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "md") && name != "README.md" {
            pages.push((name.to_owned(), std::fs::read_to_string(&path)?));
        }
    }
    pages.sort();
    Ok(pages)
}

/// The page's clauses (`### id: title`), in order.
fn clauses(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| line.strip_prefix("### "))
        .filter_map(|heading| heading.split_once(": "))
        .filter(|(id, _)| !id.contains(' ') && !id.contains('`'))
        .map(|(id, title)| (id.to_owned(), title.to_owned()))
        .collect()
}

/// GitHub's anchor for a heading: lower case, punctuation dropped (but `-`
/// and `_`), spaces as `-`.
pub fn github_anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn spec_section(
    page: &str,
    text: &str,
    files: Option<&BTreeMap<String, (String, usize)>>,
    cases_of: &BTreeMap<String, usize>,
    schemas_dir: &Path,
) -> String {
    let mut out = String::from("\n## Vectors and schemas\n\n");
    let families: BTreeSet<&str> = files
        .into_iter()
        .flatten()
        .map(|(_, (family, _))| family.as_str())
        .collect();
    match files.filter(|f| !f.is_empty()) {
        None => out.push_str("No vector case cites a clause of this page.\n"),
        Some(files) => {
            let total: usize = files.values().map(|(_, n)| n).sum();
            let _ = writeln!(
                out,
                "{total} case(s) in {} vector file(s) cite this page's clauses:\n",
                files.len()
            );
            out.push_str("| vector file | family | cases |\n|---|---|---:|\n");
            for (path, (family, n)) in files {
                let _ = writeln!(out, "| [`{path}`](../{path}) | `{family}` | {n} |");
            }
        }
    }
    let page_clauses = clauses(text);
    if !page_clauses.is_empty() {
        out.push_str(
            "\nCases per clause (a case may cite several):\n\n| clause | cases |\n|---|---:|\n",
        );
        for (id, title) in &page_clauses {
            let anchor = github_anchor(&format!("{id}: {title}"));
            let n = cases_of.get(id).copied().unwrap_or(0);
            let _ = writeln!(out, "| [`{id}`](#{anchor}) | {n} |");
        }
    }
    let mut schemas: Vec<String> = Vec::new();
    for family in &families {
        for schema in [
            format!("families/{family}.input.schema.json"),
            format!("families/{family}.result.schema.json"),
            format!("vectors/{family}.schema.json"),
        ] {
            if schemas_dir.join(&schema).is_file() {
                schemas.push(schema);
            }
        }
    }
    for (name, extra) in EXTRA_SCHEMAS {
        if name == page {
            for schema in extra {
                if schemas_dir.join(schema).is_file() && !schemas.iter().any(|s| s == schema) {
                    schemas.push((*schema).to_owned());
                }
            }
        }
    }
    if !schemas.is_empty() {
        out.push_str("\nSchemas: ");
        let links: Vec<String> = schemas
            .iter()
            .map(|s| format!("[`{s}`](schemas/{s})"))
            .collect();
        out.push_str(&links.join(" · "));
        out.push('\n');
    }
    out.push('\n');
    out
}

/// `text` with the part between the markers replaced by `body` (markers
/// appended at the end when absent).
fn replace_between(text: &str, begin: &str, end: &str, body: &str) -> String {
    match (text.find(begin), text.find(end)) {
        (Some(b), Some(e)) if b < e => {
            let mut out = String::with_capacity(text.len() + body.len());
            out.push_str(&text[..b + begin.len()]);
            out.push('\n');
            out.push_str(body);
            out.push_str(&text[e..]);
            out
        }
        _ => {
            let mut out = text.trim_end().to_owned();
            out.push_str("\n\n");
            out.push_str(begin);
            out.push('\n');
            out.push_str(body);
            out.push_str(end);
            out.push('\n');
            out
        }
    }
}

/// A Markdown table of the report's fields: path, type, description.
fn report_fields(schema: &Value) -> String {
    let defs = schema.get("$defs").cloned().unwrap_or(Value::Null);
    let mut rows = Vec::new();
    walk_fields(schema, &defs, "", &mut rows, 0);
    let mut out = String::from("\n| field | type | meaning |\n|---|---|---|\n");
    for (path, kind, description) in rows {
        let _ = writeln!(
            out,
            "| `{path}` | {kind} | {} |",
            without_doc_links(&description)
                .replace('|', "\\|")
                .replace('\n', " ")
        );
    }
    out.push('\n');
    out
}

/// A doc comment's rustdoc links (`` [`Name`] ``) as plain code spans.
fn without_doc_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("[`") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find("`]") {
            Some(end) if !after[end + 2..].starts_with('(') => {
                out.push_str(&after[..end + 1]);
                rest = &after[end + 2..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn resolve<'a>(schema: &'a Value, defs: &'a Value) -> &'a Value {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str)
        && let Some(name) = reference.strip_prefix("#/$defs/")
        && let Some(target) = defs.get(name)
    {
        return target;
    }
    // `Option<T>` is `anyOf: [{$ref}, {type: null}]`.
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array)
        && let Some(inner) = any.iter().find(|s| s.get("$ref").is_some())
    {
        return resolve(inner, defs);
    }
    schema
}

fn type_name(schema: &Value, defs: &Value) -> String {
    let resolved = resolve(schema, defs);
    if let Some(values) = resolved.get("enum").and_then(Value::as_array) {
        return values
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(" \\| ");
    }
    if let Some(one_of) = resolved.get("oneOf").and_then(Value::as_array) {
        let names: Vec<String> = one_of
            .iter()
            .filter_map(|v| v.get("const").map(|c| format!("`{c}`")))
            .collect();
        if !names.is_empty() {
            return names.join(" \\| ");
        }
    }
    let optional = schema
        .get("type")
        .and_then(Value::as_array)
        .is_some_and(|t| t.iter().any(|t| t == "null"))
        || schema.get("anyOf").is_some();
    let base = match resolved.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "any JSON".to_owned(),
    };
    let base = if base == "array" {
        let items = resolved
            .get("items")
            .map_or_else(|| "any".into(), |i| type_name(i, defs));
        format!("array of {items}")
    } else if base == "object" && resolved.get("properties").is_none() {
        match resolved.get("additionalProperties") {
            Some(inner) if inner.is_object() => format!("map to {}", type_name(inner, defs)),
            _ => "object".into(),
        }
    } else {
        base
    };
    if optional {
        format!("{base} or null")
    } else {
        base
    }
}

fn walk_fields(
    schema: &Value,
    defs: &Value,
    prefix: &str,
    rows: &mut Vec<(String, String, String)>,
    depth: usize,
) {
    let resolved = resolve(schema, defs);
    let Some(properties) = resolved.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, property) in properties {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let description = property
            .get("description")
            .or_else(|| resolve(property, defs).get("description"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        rows.push((path.clone(), type_name(property, defs), description));
        if depth >= 3 {
            continue;
        }
        let inner = resolve(property, defs);
        match inner.get("type").and_then(Value::as_str) {
            Some("array") => {
                if let Some(items) = inner.get("items") {
                    walk_fields(items, defs, &format!("{path}[]"), rows, depth + 1);
                }
            }
            Some("object") => {
                if let Some(values) = inner.get("additionalProperties").filter(|v| v.is_object()) {
                    walk_fields(values, defs, &format!("{path}.*"), rows, depth + 1);
                } else {
                    walk_fields(inner, defs, &path, rows, depth + 1);
                }
            }
            _ => walk_fields(inner, defs, &path, rows, depth + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_follow_github() {
        assert_eq!(
            github_anchor("hash.murmur3: MurmurHash3 x86 32-bit"),
            "hashmurmur3-murmurhash3-x86-32-bit"
        );
        assert_eq!(github_anchor("rule.op.isIn: `isIn`"), "ruleopisin-isin");
    }

    #[test]
    fn doc_links_become_code_spans() {
        assert_eq!(
            without_doc_links("The version ([`REPORT_VERSION`]); see [`a`](b)."),
            "The version (`REPORT_VERSION`); see [`a`](b)."
        );
    }

    #[test]
    fn sections_are_replaced_between_markers() {
        let text = format!("# Page\n\nprose\n\n{SPEC_BEGIN}\nold\n{SPEC_END}\nafter\n");
        let out = replace_between(&text, SPEC_BEGIN, SPEC_END, "new\n");
        assert_eq!(
            out,
            format!("# Page\n\nprose\n\n{SPEC_BEGIN}\nnew\n{SPEC_END}\nafter\n")
        );
        let appended = replace_between("# Page\n", SPEC_BEGIN, SPEC_END, "new\n");
        assert_eq!(
            appended,
            format!("# Page\n\n{SPEC_BEGIN}\nnew\n{SPEC_END}\n")
        );
    }

    #[test]
    fn the_generated_docs_are_current() {
        // The same check `cargo xtask test` runs, as a plain test.
        for (path, text) in generated(&project_root()).unwrap() {
            let current = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                current == text,
                "{} is out of date: run `cargo xtask docs`",
                path.display()
            );
        }
    }
}
