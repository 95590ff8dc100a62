//! The language server driven like an editor, over stdio: time from a
//! one-character `didChange` to its `publishDiagnostics` (p50, p99) on 10 KB,
//! 1 MB and 10 MB documents, side by side with the same edits sent as
//! full-text changes; hover latency; resident memory with the 10 MB document
//! open; time to index a 2,000-file workspace.
//!
//! `cargo bench --bench lsp`

mod common;
#[path = "../tests/support/lsp_client.rs"]
mod lsp_client;

use std::time::{Duration, Instant};

use lsp_client::Client;
use serde_json::json;

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1e3
}

fn rss_of(pid: u32) -> usize {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<usize>().ok()))
        .map_or(0, |kb| kb * 1024)
}

/// Position (line, UTF-16 column) of a byte offset in `text`.
fn position(text: &str, at: usize) -> (usize, usize) {
    let line = text[..at].matches('\n').count();
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    (line, text[start..at].encode_utf16().count())
}

struct Run {
    p50: f64,
    p99: f64,
}

/// `edits` one-character changes (insert, then delete, alternately).
fn edit_latency(c: &mut Client, uri: &str, text: &str, first_version: i64, edits: usize, full_text: bool) -> Run {
    let at = common::middle_edit_point(text);
    let (line, col) = position(text, at);
    let with_x = format!("{}x{}", &text[..at], &text[at..]);
    let mut times = Vec::with_capacity(edits);
    for i in 0..edits {
        let version = first_version + i as i64;
        let insert = i % 2 == 0;
        let change = if full_text {
            json!({"text": if insert { &with_x } else { text }})
        } else if insert {
            json!({"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col}}, "text": "x"})
        } else {
            json!({"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col + 1}}, "text": ""})
        };
        let t = Instant::now();
        c.notify("textDocument/didChange", json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}));
        let n = c.diagnostics_count(uri, version);
        times.push(t.elapsed());
        assert!(n > 0, "the generated article has unsourced claims");
        c.notifications.clear();
    }
    Run { p50: pct(&mut times, 0.5), p99: pct(&mut times, 0.99) }
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    println!("didChange → publishDiagnostics (ms), one-character edits in the middle of the document");
    println!("{:>8} {:>22} {:>22} {:>10}", "size", "incremental p50 / p99", "full text p50 / p99", "speed-up");
    // NEWSMARK_BENCH_SIZES=1000000 runs one size (for profiling).
    let only: Option<usize> = std::env::var("NEWSMARK_BENCH_SIZES").ok().and_then(|v| v.parse().ok());
    for (size, edits) in [(10_000usize, 300usize), (1_000_000, 200), (10_000_000, 40)] {
        if only.is_some_and(|o| o != size) {
            continue;
        }
        let text = common::article(size, 5);
        let path = dir.path().join(format!("doc{size}.nmk"));
        std::fs::write(&path, &text).unwrap();
        let uri = format!("file://{}", path.display());
        let mut c = Client::start();
        c.initialize(&["utf-16"]);
        c.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "newsmark", "version": 1, "text": text}}));
        c.diagnostics(&uri, 1);
        let inc = edit_latency(&mut c, &uri, &text, 2, edits, false);
        // Memory with the document open and edited, before the full-text
        // baseline re-parses it forty times over.
        let rss_open = rss_of(c.child.id());
        // NEWSMARK_BENCH_INCREMENTAL_ONLY=1 skips the baseline (for profiling).
        let full = if std::env::var_os("NEWSMARK_BENCH_INCREMENTAL_ONLY").is_some() {
            Run { p50: f64::NAN, p99: f64::NAN }
        } else {
            edit_latency(&mut c, &uri, &text, 2 + edits as i64, edits, true)
        };
        println!(
            "{:>8} {:>10.3} / {:>9.3} {:>10.3} / {:>9.3} {:>9.1}×",
            format!("{} KB", size / 1000),
            inc.p50,
            inc.p99,
            full.p50,
            full.p99,
            full.p50 / inc.p50
        );
        if size == 10_000_000 {
            let rss_after = rss_of(c.child.id());
            println!(
                "resident memory with the 10 MB document open: {:.1} MB ({:.1}× the text); after the full-text baseline: {:.1} MB",
                rss_open as f64 / 1e6,
                rss_open as f64 / text.len() as f64,
                rss_after as f64 / 1e6
            );
        }
        if size == 1_000_000 {
            // Hover on a mention near the middle.
            let at = text[text.len() / 2..].find("(@").map(|i| text.len() / 2 + i + 2).unwrap();
            let (line, col) = position(&text, at);
            let mut times = Vec::new();
            for _ in 0..300 {
                let t = Instant::now();
                let r = c.request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": col}}));
                times.push(t.elapsed());
                assert!(r["result"]["contents"]["value"].is_string(), "{r}");
            }
            println!("hover on a mention in the 1 MB document: p50 {:.3} ms, p99 {:.3} ms", pct(&mut times, 0.5), pct(&mut times, 0.99));
        }
        c.shutdown();
    }

    if only.is_some() {
        return;
    }
    // Indexing a 2,000-file workspace, timed from `initialized` to the end
    // of the server's progress report.
    let ws = tempfile::tempdir().unwrap();
    std::fs::write(ws.path().join("cast.nmk"), common::definitions()).unwrap();
    for i in 0..2000 {
        let body = common::article(5_000, 100 + i);
        std::fs::write(ws.path().join(format!("a{i:04}.nmk")), body).unwrap();
    }
    let mut c = Client::start();
    c.request("initialize", json!({"processId": null, "rootUri": format!("file://{}", ws.path().display()), "capabilities": {"window": {"workDoneProgress": true}}}));
    let t = Instant::now();
    c.notify("initialized", json!({}));
    loop {
        let m = c.next();
        if m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end" {
            break;
        }
    }
    println!("index a 2,000-file workspace (~10 MB): {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    c.shutdown();
}
