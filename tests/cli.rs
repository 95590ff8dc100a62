//! `newsmark check`: formats, exit codes, stdin, bad inputs.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_newsmark"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const UNSOURCED: &str = "[@kim]: Kim\n\n{Claim}(@kim)\n";

#[test]
fn warnings_pass_by_default_and_fail_at_warning_level() {
    let o = run(&["check", "--format", "compact", "-", "--stdin-path", "a.nmk"], Some(UNSOURCED));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "a.nmk:3:1: warning[unsourced-claim]: claim by Kim has no source: add `^source` to its attribution\n");
    let o = run(&["check", "--format", "compact", "--fail-level", "warning", "-", "--stdin-path", "a.nmk"], Some(UNSOURCED));
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn json_output_has_the_documented_shape() {
    let o = run(&["check", "--format", "json", "-", "--stdin-path", "a.nmk"], Some("Привет @nobody.\n"));
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], 1);
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "undefined-party");
    assert_eq!(d["severity"], "error");
    // Columns count Unicode scalar values: "Привет " is 7 of them.
    assert_eq!(d["range"]["start"], serde_json::json!({"line": 1, "column": 8}));
    assert_eq!(d["range"]["end"], serde_json::json!({"line": 1, "column": 15}));
    assert_eq!(v["summary"]["errors"], 1);
}

#[test]
fn github_and_sarif_formats() {
    let o = run(&["check", "--format", "github", "-", "--stdin-path", "a.nmk"], Some(UNSOURCED));
    assert_eq!(stdout(&o), "::warning file=a.nmk,line=3,col=1,endLine=3,endColumn=14,title=newsmark(unsourced-claim)::claim by Kim has no source: add `^source` to its attribution\n");
    let o = run(&["check", "--format", "sarif", "-", "--stdin-path", "a.nmk"], Some(UNSOURCED));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let result = &v["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "unsourced-claim");
    assert_eq!(result["level"], "warning");
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"], "unsourced-claim");
}

#[test]
fn bad_inputs_exit_2_and_the_rest_is_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.nmk");
    std::fs::write(&good, "Hi @nobody.\n").unwrap();
    let bad = dir.path().join("bad.nmk");
    std::fs::write(&bad, b"caf\xe9\n").unwrap();
    let missing = dir.path().join("missing.nmk");
    let o = run(&["check", "--format", "compact", good.to_str().unwrap(), bad.to_str().unwrap(), missing.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("good.nmk:1:4: error[undefined-party]"), "{}", stdout(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.nmk: cannot read: not UTF-8 (invalid byte at offset 3)"), "{err}");
    assert!(err.contains("missing.nmk: no such file or directory"), "{err}");
    let empty = tempfile::tempdir().unwrap();
    let o = run(&["check", empty.path().to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("no .nmk files in this directory"), "{}", stdout(&o));
}

#[test]
fn examples_report_every_demonstrated_code() {
    let root = env!("CARGO_MANIFEST_DIR");
    let o = run(&["check", "--format", "json", &format!("{root}/examples")], None);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let codes: std::collections::BTreeSet<&str> =
        v["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    for code in ["syntax", "unsourced-claim", "undefined-party", "undefined-source", "duplicate-definition", "unused-definition",
        "unknown-status", "nested-claim", "empty-claim", "invalid-date", "import-not-found", "import-cycle", "anonymous-source", "unknown-property"] {
        assert!(codes.contains(code), "no {code} in the examples: {codes:?}");
    }
    // allow.nmk silences everything it shows.
    assert!(!v["diagnostics"].as_array().unwrap().iter().any(|d| d["path"].as_str().unwrap().ends_with("allow.nmk")));
}

#[test]
fn sarif_output_validates_against_the_sarif_2_1_0_schema() {
    let root = env!("CARGO_MANIFEST_DIR");
    let o = run(&["check", "--format", "sarif", &format!("{root}/examples")], None);
    assert_eq!(o.status.code(), Some(1));
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("out.sarif");
    std::fs::write(&sarif, &o.stdout).unwrap();
    // The validator exits 2, loudly, when python3's jsonschema is missing:
    // CI installs it, and a missing validator fails this test.
    let v = Command::new("python3")
        .arg(format!("{root}/tests/validate_sarif.py"))
        .arg(format!("{root}/tests/data/sarif-schema-2.1.0.json"))
        .arg(&sarif)
        .output()
        .expect("python3 is needed to validate SARIF");
    assert!(
        v.status.success(),
        "SARIF validation failed ({:?}):\n{}{}",
        v.status.code(),
        String::from_utf8_lossy(&v.stdout),
        String::from_utf8_lossy(&v.stderr)
    );
}
