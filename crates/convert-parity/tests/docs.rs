//! Every code block of the documentation (`README.md`, `docs/`, `spec/`) is
//! checked here, so the docs cannot rot. Each fenced block declares what it
//! is, and each kind has its check:
//!
//! | block | check |
//! |---|---|
//! | `sh` | every command is one this project has: `convert-parity …` (and `cargo run -p convert-parity -- …`, `cargo xtask parity …`) is parsed by the runner's own command line (cheap ones are run), cargo test targets and examples exist, an opened report is one the runner writes; `cargo xtask …` is parsed by xtask's own definitions (`xtask/src/main.rs` tests) |
//! | `json <schema>` | valid against `spec/schemas/<schema>` |
//! | `yaml` | parses; a GitHub Actions workflow has the shape GitHub expects, and its `run:` scripts pass the `sh` check |
//! | `python` | the minimal adapter: at most 60 lines, run against the runner over every `hash` vector |
//! | `rust` | compiled (and run unless `no_run`) as a doc test: the file must be included by a crate's `#[doc = include_str!(…)]` |
//! | `text` | output samples and illustrations: a summary table has the runner's columns and closing line; a protocol transcript's messages are valid protocol messages |
//!
//! The adapters' READMEs (`adapters/<name>/README.md`) are checked too:
//! their shell commands are their manifest's commands, and each recorded
//! protocol session (`→ request`, `← answer`) is replayed against the
//! installed adapter, which must answer it the same way today.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use serde_json::Value;

/// The longest the minimal Python adapter may be.
const MAX_ADAPTER_LINES: usize = 60;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// One fenced block.
#[derive(Debug)]
struct Block {
    /// Where: `docs/ci.md:12`.
    at: String,
    /// The info string's first word (`sh`, `json`, `rust,no_run`, …).
    lang: String,
    /// The info string's second word (for `json`: the schema).
    tag: Option<String>,
    text: String,
}

fn doc_files() -> Vec<PathBuf> {
    let root = root();
    let mut files = vec![root.join("README.md")];
    for dir in ["docs", "spec"] {
        let mut pages: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        pages.sort();
        files.extend(pages);
    }
    files
}

fn blocks_of(path: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(path).unwrap();
    let relative = path.strip_prefix(root()).unwrap().display().to_string();
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    for (event, range) in Parser::new(&text).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let line = text[..range.start].matches('\n').count() + 1;
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                let mut words = info.split_whitespace();
                current = Some(Block {
                    at: format!("{relative}:{line}"),
                    lang: words.next().unwrap_or("").to_owned(),
                    tag: words.next().map(str::to_owned),
                    text: String::new(),
                });
            }
            Event::Text(chunk) => {
                if let Some(block) = &mut current {
                    block.text.push_str(&chunk);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks
}

fn all_blocks() -> Vec<Block> {
    doc_files().iter().flat_map(|f| blocks_of(f)).collect()
}

fn blocks(lang: &str) -> Vec<Block> {
    all_blocks()
        .into_iter()
        .filter(|b| b.lang == lang)
        .collect()
}

#[test]
fn every_code_block_is_of_a_checked_kind() {
    let blocks = all_blocks();
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    let mut unchecked = Vec::new();
    for block in &blocks {
        let kind = match block.lang.as_str() {
            "sh" | "yaml" | "python" | "text" | "rust" | "rust,no_run" => block.lang.as_str(),
            "json" if block.tag.is_some() => "json",
            _ => {
                unchecked.push(format!(
                    "{}: ```{} {}",
                    block.at,
                    block.lang,
                    block.tag.as_deref().unwrap_or("")
                ));
                continue;
            }
        };
        *kinds.entry(kind).or_default() += 1;
    }
    assert!(
        unchecked.is_empty(),
        "code blocks no test checks (give each a kind: sh, json <schema>, yaml, python, rust, text): {unchecked:#?}"
    );
    for kind in ["sh", "json", "yaml", "python", "rust", "text"] {
        assert!(
            kinds.contains_key(kind),
            "no `{kind}` block found: {kinds:?}"
        );
    }
}

#[test]
fn rust_blocks_are_doc_tests() {
    // A page with Rust code must be included by a crate as documentation,
    // which makes rustdoc compile its blocks (and run those without no_run).
    let mut sources = String::new();
    for crate_dir in std::fs::read_dir(root().join("crates")).unwrap() {
        let src = crate_dir.unwrap().path().join("src");
        if let Ok(entries) = std::fs::read_dir(&src) {
            for entry in entries {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "rs") {
                    sources.push_str(&std::fs::read_to_string(&path).unwrap());
                }
            }
        }
    }
    let mut pages: Vec<String> = all_blocks()
        .iter()
        .filter(|b| b.lang.starts_with("rust"))
        .map(|b| b.at.split(':').next().unwrap().to_owned())
        .collect();
    pages.dedup();
    assert!(!pages.is_empty());
    for page in pages {
        let include = format!("#[doc = include_str!(\"../../../{page}\")]");
        assert!(
            sources.contains(&include),
            "{page} has Rust blocks but no crate compiles them: add `#[cfg(doctest)] {include}` to a crate"
        );
    }
}

// ---- shell -----------------------------------------------------------------

/// The commands of a shell script: continuation lines joined, comments and
/// blank lines dropped, split like a shell would.
fn commands(script: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for line in script.lines() {
        let line = strip_comment(line);
        if let Some(head) = line.trim_end().strip_suffix('\\') {
            pending.push_str(head);
            pending.push(' ');
            continue;
        }
        pending.push_str(&line);
        let command = std::mem::take(&mut pending);
        if command.trim().is_empty() {
            continue;
        }
        out.push(shell_words::split(&command).unwrap_or_else(|e| panic!("`{command}`: {e}")));
    }
    out
}

/// `line` without a trailing `# comment` (outside quotes).
fn strip_comment(line: &str) -> String {
    let (mut single, mut double) = (false, false);
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && previous.is_whitespace() => return line[..i].to_owned(),
            _ => {}
        }
        previous = c;
    }
    line.to_owned()
}

fn runner() -> &'static str {
    env!("CARGO_BIN_EXE_convert-parity")
}

/// Whether the runner's command line accepts `args`: they are parsed by the
/// runner itself, with `--help` appended so that nothing runs (clap checks
/// the subcommand, every flag and every value before it reaches `--help`).
fn runner_accepts(args: &[String]) -> Result<(), String> {
    let output = Command::new(runner())
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    if output.status.success() && stdout.contains("Usage: convert-parity") {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            stdout,
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Subcommands cheap and safe enough to run for real, from the project root.
fn runs_for_real(args: &[String]) -> bool {
    matches!(args.first().map(String::as_str), Some("list")) || args.iter().any(|a| a == "--help")
}

fn check_runner(args: &[String], at: &str) {
    runner_accepts(args)
        .unwrap_or_else(|e| panic!("{at}: `convert-parity {}` is refused:\n{e}", args.join(" ")));
    if runs_for_real(args) {
        let output = Command::new(runner())
            .args(args)
            .current_dir(root())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{at}: `convert-parity {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Checks one documented command (after its environment assignments).
fn check_command(argv: &[String], at: &str, sources: &str) {
    let mut argv: Vec<String> = argv.to_vec();
    while let Some(first) = argv.first() {
        let Some((name, _)) = first.split_once('=') else {
            break;
        };
        if name.starts_with("CONVERT_PARITY_") {
            assert!(
                sources.contains(&format!("\"{name}\"")),
                "{at}: the environment variable {name} is not read anywhere"
            );
        }
        argv.remove(0);
    }
    let words: Vec<&str> = argv.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["convert-parity", rest @ ..] => check_runner(&to_strings(rest), at),
        ["cargo", "run", rest @ ..] => {
            let (cargo_args, program_args) = split_at_dashes(rest);
            let package = flag_value(&cargo_args, "-p")
                .unwrap_or_else(|| panic!("{at}: `cargo run` without -p"));
            if let Some(example) = flag_value(&cargo_args, "--example") {
                let file = root().join(format!("crates/{package}/examples/{example}.rs"));
                assert!(file.is_file(), "{at}: no example {}", file.display());
            } else {
                assert_eq!(
                    package, "convert-parity",
                    "{at}: `cargo run -p {package}` has no binary to check"
                );
                check_runner(&program_args, at);
            }
        }
        ["cargo", "xtask", "parity", rest @ ..] => {
            // xtask's own tests parse the task; its arguments go to `run`.
            let mut args = vec!["run".to_owned()];
            args.extend(to_strings(rest));
            check_runner(&args, at);
        }
        ["cargo", "xtask", ..] => {} // parsed by xtask's own tests
        ["cargo", "test" | "nextest", ..] => {
            let package = flag_value(&to_strings(&words[2..]), "-p")
                .unwrap_or_else(|| panic!("{at}: a test command without -p"));
            assert!(
                root().join("crates").join(&package).is_dir(),
                "{at}: no crate {package}"
            );
            if let Some(test) = flag_value(&to_strings(&words[2..]), "--test") {
                let file = root().join(format!("crates/{package}/tests/{test}.rs"));
                assert!(file.is_file(), "{at}: no test target {}", file.display());
            }
        }
        ["cargo", "bench", ..] => {
            let args = to_strings(&words[2..]);
            let package = flag_value(&args, "-p")
                .unwrap_or_else(|| panic!("{at}: a bench command without -p"));
            if let Some(bench) = flag_value(&args, "--bench") {
                let file = root().join(format!("crates/{package}/benches/{bench}.rs"));
                assert!(file.is_file(), "{at}: no bench target {}", file.display());
            }
        }
        ["xdg-open" | "open", page] => {
            assert!(
                *page == "target/parity/report.html",
                "{at}: `{page}` is not a report `cargo xtask parity` writes"
            );
            let parity = std::fs::read_to_string(root().join("xtask/src/parity.rs")).unwrap();
            assert!(
                parity.contains("\"report.html\""),
                "cargo xtask parity no longer writes report.html"
            );
        }
        // The SDK repository's own setup in a CI job.
        ["python" | "python3", "-m", "pip", "install", ..] => {}
        _ => panic!(
            "{at}: no rule checks `{}`: add one to tests/docs.rs",
            argv.join(" ")
        ),
    }
}

fn to_strings(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

fn split_at_dashes(words: &[&str]) -> (Vec<String>, Vec<String>) {
    match words.iter().position(|w| *w == "--") {
        Some(i) => (to_strings(&words[..i]), to_strings(&words[i + 1..])),
        None => (to_strings(words), Vec::new()),
    }
}

fn flag_value(words: &[String], flag: &str) -> Option<String> {
    words
        .iter()
        .position(|w| w == flag)
        .and_then(|i| words.get(i + 1).cloned())
}

/// The sources that read environment variables (the runner, xtask, tests).
fn sources() -> String {
    let mut text = String::new();
    for dir in [
        "crates/convert-parity/src",
        "crates/convert-parity/tests",
        "crates/convert-import/src",
        "xtask/src",
    ] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("docs.rs") {
                text.push_str(&std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    text
}

#[test]
fn the_parse_check_refuses_what_the_runner_refuses() {
    let args = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    assert!(runner_accepts(&args("run --family rule --show-failures 100")).is_ok());
    assert!(runner_accepts(&args("run --no-such-flag")).is_err());
    assert!(runner_accepts(&args("run --show-failures many")).is_err());
    assert!(runner_accepts(&args("no-such-command")).is_err());
}

#[test]
fn shell_commands_in_the_docs_are_commands_of_this_project() {
    let sources = sources();
    let mut checked = 0;
    for block in blocks("sh") {
        for argv in commands(&block.text) {
            check_command(&argv, &block.at, &sources);
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} commands found");
}

// ---- JSON ------------------------------------------------------------------

fn validate(schema_file: &str, instance: &Value, at: &str) {
    let path = root().join("spec/schemas").join(schema_file);
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{at}: {}: {e}", path.display())),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{at}: not valid against {schema_file}: {errors:#?}"
    );
}

#[test]
fn json_blocks_are_valid_against_their_schemas() {
    let blocks = blocks("json");
    assert!(blocks.len() >= 3);
    for block in blocks {
        let value: Value = serde_json::from_str(&block.text)
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}", block.at));
        validate(block.tag.as_deref().unwrap(), &value, &block.at);
    }
}

// ---- YAML ------------------------------------------------------------------

#[test]
fn yaml_blocks_parse_and_workflows_run_real_commands() {
    use yaml_rust2::{Yaml, YamlLoader};
    let sources = sources();
    let blocks = blocks("yaml");
    assert!(!blocks.is_empty());
    let uses = |s: &str| {
        let (action, reference) = s.split_once('@').unwrap_or((s, ""));
        action.split('/').count() >= 2 && !reference.is_empty()
    };
    for block in blocks {
        let documents = YamlLoader::load_from_str(&block.text)
            .unwrap_or_else(|e| panic!("{}: not YAML: {e}", block.at));
        for document in documents {
            let jobs = &document["jobs"];
            if jobs.is_badvalue() {
                continue;
            }
            assert!(
                !document["name"].is_badvalue(),
                "{}: a workflow needs a name",
                block.at
            );
            assert!(
                !document["on"].is_badvalue(),
                "{}: a workflow needs `on`",
                block.at
            );
            let Yaml::Hash(jobs) = jobs else {
                panic!("{}: `jobs` is not a map", block.at)
            };
            for (name, job) in jobs {
                let at = format!("{} (job {:?})", block.at, name.as_str());
                assert!(job["runs-on"].as_str().is_some(), "{at}: no runs-on");
                let steps = job["steps"]
                    .as_vec()
                    .unwrap_or_else(|| panic!("{at}: no steps"));
                assert!(!steps.is_empty(), "{at}: no steps");
                for step in steps {
                    match (step["uses"].as_str(), step["run"].as_str()) {
                        (Some(action), None) => {
                            assert!(uses(action), "{at}: `uses: {action}` is not owner/repo@ref")
                        }
                        (None, Some(script)) => {
                            for argv in commands(script) {
                                check_command(&argv, &at, &sources);
                            }
                        }
                        _ => panic!("{at}: a step needs exactly one of `uses` and `run`: {step:?}"),
                    }
                }
            }
        }
    }
}

// ---- Python: the minimal adapter ----------------------------------------------

/// The Python the project's Python adapter is installed with (it has the
/// published SDK): installed here when missing.
fn python_with_sdk() -> PathBuf {
    install("python");
    root().join("adapters/python/.venv/bin/python")
}

/// Installs an adapter unless it is installed (`convert-parity install`),
/// one test at a time: a static lock within `cargo test`'s process, and the
/// `adapter-install` test group of `.config/nextest.toml` across nextest's
/// processes.
fn install(name: &str) {
    static INSTALLING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = INSTALLING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let adapter = convert_parity::install::find(&root(), name).unwrap();
    if adapter.is_installed() {
        return;
    }
    let status = Command::new(runner())
        .args(["install", name])
        .current_dir(root())
        .status()
        .unwrap();
    assert!(status.success(), "`convert-parity install {name}` failed");
}

#[test]
fn the_python_adapter_of_the_docs_passes_every_hash_vector() {
    let blocks = blocks("python");
    assert_eq!(
        blocks.len(),
        1,
        "one Python example is expected: {blocks:?}"
    );
    let block = &blocks[0];
    let lines = block.text.lines().count();
    assert!(
        lines <= MAX_ADAPTER_LINES,
        "{}: the minimal adapter has {lines} lines (at most {MAX_ADAPTER_LINES})",
        block.at
    );
    let dir = tempfile::tempdir().unwrap();
    let adapter = dir.path().join("my_adapter.py");
    std::fs::write(&adapter, &block.text).unwrap();
    let command = format!("{} {}", python_with_sdk().display(), adapter.display());

    let smoke = Command::new(runner())
        .args(["smoke", "--adapter-cmd", &command])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        smoke.status.success(),
        "{}: smoke failed:\n{}{}",
        block.at,
        String::from_utf8_lossy(&smoke.stdout),
        String::from_utf8_lossy(&smoke.stderr)
    );

    let report = dir.path().join("report.json");
    let run = Command::new(runner())
        .args([
            "run",
            "--no-reference",
            "--validate-protocol",
            "--family",
            "hash",
        ])
        .args(["--adapter-cmd", &command])
        .arg("--report-json")
        .arg(&report)
        .current_dir(root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{}: the run failed:\n{stdout}",
        block.at
    );
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let target = &report["targets"][0];
    assert_eq!(target["implementation"]["name"], "convert-python-sdk");
    assert_eq!(target["implementation"]["version"], "2.1.0");
    let summary = &target["summary"];
    let hash_cases = report["vectors"]["cases"].as_u64().unwrap();
    assert!(hash_cases > 100, "{hash_cases} hash cases");
    assert_eq!(summary["pass"], hash_cases, "{stdout}");
    assert_eq!(summary["fail"], 0);
}

// ---- text: output samples and transcripts ------------------------------------

fn is_totals_line(line: &str) -> bool {
    let words: Vec<&str> = line
        .split([' ', ',', ';'])
        .filter(|w| !w.is_empty())
        .collect();
    let expected = [
        "#",
        "passed",
        "#",
        "failed",
        "#",
        "diverged",
        "(declared)",
        "#",
        "skipped",
        "#",
        "errored",
        "#",
        "timed",
        "out",
        "#",
        "crashed",
        "#",
        "problem(s)",
        "exit",
        "#",
    ];
    words.len() == expected.len()
        && words.iter().zip(expected).all(|(w, e)| {
            if e == "#" {
                w.parse::<u64>().is_ok()
            } else {
                *w == e
            }
        })
}

#[test]
fn text_samples_match_what_the_tools_print() {
    let headers = convert_parity::terminal::SUMMARY_HEADERS;
    let mut tables = 0;
    let mut transcripts = 0;
    let request = |v: &Value, at: &str| validate("protocol/request.schema.json", v, at);
    for block in blocks("text") {
        let lines: Vec<&str> = block.text.lines().collect();
        let first: Vec<&str> = lines
            .first()
            .map(|l| l.split_whitespace().collect())
            .unwrap_or_default();
        if first == headers {
            tables += 1;
            let last = lines.iter().rev().find(|l| l.contains(" passed, "));
            if let Some(last) = last {
                assert!(
                    is_totals_line(last),
                    "{}: `{last}` is not the runner's closing line",
                    block.at
                );
            }
            for row in &lines[1..] {
                let cells: Vec<&str> = row.split_whitespace().collect();
                if row.contains(" passed, ") || cells == ["…"] {
                    continue;
                }
                if cells[0].ends_with(':') {
                    // `target: name version (language[, runtime])`
                    assert!(
                        cells.len() >= 4 && cells[3].starts_with('(') && row.ends_with(')'),
                        "{}: `{row}` is not an implementation line",
                        block.at
                    );
                    continue;
                }
                assert_eq!(
                    cells.len(),
                    headers.len(),
                    "{}: `{row}` does not fit the table",
                    block.at
                );
                assert!(
                    cells[2..].iter().all(|c| c.parse::<u64>().is_ok()),
                    "{}: `{row}`",
                    block.at
                );
            }
        }
        for line in &lines {
            let (direction, message) = if let Some(m) = line.strip_prefix("runner → ") {
                ("request", m)
            } else if let Some(m) = line.strip_prefix("adapter ← ") {
                ("answer", m)
            } else {
                continue;
            };
            transcripts += 1;
            let value: Value = serde_json::from_str(message)
                .unwrap_or_else(|e| panic!("{}: `{message}` is not JSON: {e}", block.at));
            match direction {
                "request" => request(&value, &block.at),
                _ if value.get("ready").is_some() => {
                    validate("protocol/ready.schema.json", &value, &block.at)
                }
                _ => validate("protocol/run-response.schema.json", &value, &block.at),
            }
        }
    }
    assert!(tables >= 2, "summary tables found: {tables}");
    assert!(
        transcripts >= 4,
        "protocol transcript lines found: {transcripts}"
    );
    assert!(is_totals_line(
        "1 passed, 0 failed, 0 diverged (declared), 0 skipped, 0 errored, 0 timed out, 0 crashed; 0 problem(s); exit 0"
    ));
    assert!(!is_totals_line("1 passed, 0 failed"));
}

// ---- the adapters' READMEs ---------------------------------------------------

/// `(name, README)` of every adapter folder.
fn adapter_readmes() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(root().join("adapters"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|dir| dir.join("adapter.json").is_file() && dir.join("README.md").is_file())
        .map(|dir| {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            (name, dir.join("README.md"))
        })
        .collect();
    out.sort();
    out
}

/// The protocol messages of a transcript block: `→ request` and `← answer`
/// lines, and whether it ends with `(exit 0)`.
fn transcript(text: &str) -> (Vec<String>, Vec<Value>, bool) {
    let mut requests = Vec::new();
    let mut answers = Vec::new();
    for line in text.lines() {
        if let Some(request) = line.strip_prefix("→ ") {
            requests.push(request.to_owned());
        } else if let Some(answer) = line.strip_prefix("← ") {
            answers
                .push(serde_json::from_str(answer).unwrap_or_else(|e| panic!("`{answer}`: {e}")));
        }
    }
    (requests, answers, text.contains("(exit 0)"))
}

/// An answer without what depends on the machine (the runtime version).
fn portable(mut answer: Value) -> Value {
    if let Some(implementation) = answer
        .get_mut("implementation")
        .and_then(Value::as_object_mut)
    {
        implementation.remove("runtime");
    }
    answer
}

/// Sends a transcript's requests to the installed adapter and returns its
/// answers and whether it exited 0.
fn replay(
    adapter: &convert_parity::install::AdapterDir,
    requests: &[String],
) -> (Vec<Value>, bool) {
    use std::io::Write as _;
    let argv = adapter.start_argv();
    let mut child = Command::new(convert_parity::install::resolve_program(
        &argv[0],
        &adapter.dir,
    ))
    .args(&argv[1..])
    .current_dir(&adapter.dir)
    .stdin(std::process::Stdio::piped())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap();
    {
        let mut stdin = child.stdin.take().unwrap();
        for request in requests {
            writeln!(stdin, "{request}").unwrap();
        }
    }
    let output = child.wait_with_output().unwrap();
    let answers = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("`{line}`: {e}")))
        .collect();
    (answers, output.status.success())
}

#[test]
fn adapter_readmes_show_their_manifest_commands_and_replay_their_sessions() {
    let readmes = adapter_readmes();
    assert!(readmes.len() >= 2, "{readmes:?}");
    let mut sessions = 0;
    for (name, readme) in readmes {
        let adapter = convert_parity::install::find(&root(), &name).unwrap();
        let manifest_commands: Vec<Vec<String>> = adapter
            .manifest
            .install
            .commands
            .iter()
            .map(|c| c.argv.clone())
            .chain([adapter.manifest.start.argv.clone()])
            .collect();
        for block in blocks_of(&readme) {
            match block.lang.as_str() {
                "sh" => {
                    for argv in commands(&block.text) {
                        assert!(
                            manifest_commands.contains(&argv),
                            "{}: `{}` is not a command of adapters/{name}/adapter.json",
                            block.at,
                            argv.join(" ")
                        );
                    }
                }
                "text" => {
                    let (requests, expected, exits) = transcript(&block.text);
                    if requests.is_empty() {
                        continue;
                    }
                    sessions += 1;
                    for request in &requests {
                        let value: Value = serde_json::from_str(request).unwrap();
                        validate("protocol/request.schema.json", &value, &block.at);
                    }
                    install(&name);
                    let (answers, exited_0) = replay(&adapter, &requests);
                    let mut answers: Vec<Value> = answers.into_iter().map(portable).collect();
                    let mut expected: Vec<Value> = expected.into_iter().map(portable).collect();
                    // Capabilities are only ever added: the recorded `ready`
                    // must name the same SDK and declare nothing it lacks now.
                    if let (Some(now), Some(then)) = (answers.first_mut(), expected.first_mut())
                        && then.get("ready").is_some()
                    {
                        let now_caps = now.as_object_mut().and_then(|o| o.remove("capabilities"));
                        let then_caps = then.as_object_mut().and_then(|o| o.remove("capabilities"));
                        for key in ["families", "contract_versions", "features"] {
                            let list = |caps: &Option<Value>| -> Vec<Value> {
                                caps.as_ref()
                                    .and_then(|c| c.get(key))
                                    .and_then(Value::as_array)
                                    .cloned()
                                    .unwrap_or_default()
                            };
                            let (now_list, then_list) = (list(&now_caps), list(&then_caps));
                            for item in &then_list {
                                assert!(
                                    now_list.contains(item),
                                    "{}: the recorded `ready` declares {key} {item}, which the adapter no longer does",
                                    block.at
                                );
                            }
                        }
                    }
                    assert_eq!(
                        answers, expected,
                        "{}: the adapter answers this session differently today",
                        block.at
                    );
                    assert_eq!(exited_0, exits, "{}: exit status", block.at);
                }
                other => panic!("{}: a ```{other} block no test checks", block.at),
            }
        }
    }
    assert!(sessions >= 2, "{sessions} recorded sessions found");
}
