//! `newsmark check` throughput on a generated corpus of 2,000 articles
//! (~50 MB) on every core, against bare parse throughput of the same files
//! in the same run; and analysing one 1 MB document (model + diagnostics).
//!
//! `cargo bench --bench check`

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use newsmark::analysis::{Config, MemoryFs, Workspace, file_diagnostics};
use newsmark::syntax::Document;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cast = dir.path().join("cast.nmk");
    std::fs::write(&cast, common::definitions()).unwrap();
    let mut total = 0usize;
    let mut paths: Vec<PathBuf> = Vec::new();
    for i in 0..2000 {
        // The articles import the cast instead of repeating it.
        let body = common::article(25_000, i as u64 + 11);
        let body = body.replacen("date: 2024-06-19\n---\n", "date: 2024-06-19\nuse: cast.nmk\n---\n", 1).replacen(&common::definitions(), "", 1);
        let p = dir.path().join(format!("a{i:04}.nmk"));
        total += body.len();
        std::fs::write(&p, body).unwrap();
        paths.push(p);
    }
    let mb = total as f64 / 1e6;
    println!("corpus: {} files, {:.1} MB", paths.len(), mb);

    // Bare parse of the same files on every core: read + tree-sitter only.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let parse_once = || {
        let t = Instant::now();
        std::thread::scope(|s| {
            for chunk in paths.chunks(paths.len().div_ceil(cores)) {
                s.spawn(move || {
                    for p in chunk {
                        let text = std::fs::read_to_string(p).unwrap();
                        std::hint::black_box(Document::new(&text));
                    }
                });
            }
        });
        t.elapsed()
    };


    // The real command, as CI runs it (release binary, JSON to a pipe).
    let bin = env!("CARGO_BIN_EXE_newsmark");
    let check_once = || {
        let t = Instant::now();
        let out = Command::new(bin).args(["check", "--format", "json"]).arg(dir.path()).output().unwrap();
        assert!(out.status.code().is_some_and(|c| c <= 1), "check failed: {}", String::from_utf8_lossy(&out.stderr));
        t.elapsed()
    };
    // Interleaved, so a slow spell of this shared machine hits both alike.
    let (mut parses, mut checks) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        parses.push(parse_once());
        checks.push(check_once());
    }
    let (parse, check) = (median(parses), median(checks));
    let parse_rate = mb / parse.as_secs_f64();
    let check_rate = mb / check.as_secs_f64();
    println!("bare parse, {cores} cores:     {:>8.1} ms  {:>7.1} MB/s", parse.as_secs_f64() * 1e3, parse_rate);
    println!("newsmark check, {cores} cores: {:>8.1} ms  {:>7.1} MB/s  ({:.0}% of bare parse)", check.as_secs_f64() * 1e3, check_rate, 100.0 * check_rate / parse_rate);

    // One 1 MB document: model + every diagnostic.
    let text = common::article(1_000_000, 3);
    let mut fs = MemoryFs::default();
    fs.files.insert("/b/one.nmk".into(), text.clone());
    let config = Config::default();
    let runs: Vec<(Duration, Duration)> = (0..20)
        .map(|_| {
            let mut ws = Workspace::new(Arc::new(MemoryFs::default()));
            let doc = Document::new(&text);
            let t = Instant::now();
            let id = ws.insert(std::path::Path::new("/b/one.nmk"), doc, true);
            let lowered = t.elapsed();
            let d = file_diagnostics(&ws, id, &config);
            std::hint::black_box(d);
            (lowered, t.elapsed())
        })
        .collect();
    let lower = median(runs.iter().map(|r| r.0).collect());
    let all = median(runs.iter().map(|r| r.1).collect());
    println!("analyse one 1 MB document (parse excluded): model {:.2} ms, model + diagnostics {:.2} ms", lower.as_secs_f64() * 1e3, all.as_secs_f64() * 1e3);
}
