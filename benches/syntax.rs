//! Parsing: full-parse throughput, and the re-parse after a one-character
//! edit side by side with a full re-parse of the same text (the baseline),
//! on generated articles of 10 KB, 1 MB and 10 MB. Also the model layer:
//! re-lowering after an edit against lowering from scratch.
//!
//! `cargo bench --bench syntax`

mod common;

use divan::Bencher;
use divan::counter::BytesCount;
use newsmark::model::FileModel;
use newsmark::syntax::{Document, parse_rope};

const SIZES: [usize; 3] = [10_000, 1_000_000, 10_000_000];

fn main() {
    if let Ok(mode) = std::env::var("NEWSMARK_MEMORY_PROBE") {
        return memory_probe(&mode);
    }
    memory_report();
    divan::main();
}

/// Peak memory of a 10 MB document, each way of holding it measured in a
/// fresh process (a process's peak cannot be reset).
fn memory_report() {
    let exe = std::env::current_exe().expect("the bench binary");
    for (mode, what) in [
        ("all", "rope + every segment's tree (Document::new)"),
        ("all+model", "rope + every tree, then the model"),
        ("lazy", "as the workspace holds it: rope + model, trees parsed per segment and dropped (Document::lazy)"),
    ] {
        let out = std::process::Command::new(&exe).env("NEWSMARK_MEMORY_PROBE", mode).output().expect("run the memory probe");
        let ratio = String::from_utf8_lossy(&out.stdout).trim().to_string();
        println!("peak memory, 10 MB document, {what}: {ratio}");
    }
}

fn memory_probe(mode: &str) {
    let text = common::article(10_000_000, 7);
    let before = common::rss_bytes();
    let (doc, model) = match mode {
        "all" => (Document::new(&text), None),
        "all+model" => {
            let doc = Document::new(&text);
            let model = FileModel::lower(&doc);
            (doc, Some(model))
        }
        _ => {
            let doc = Document::lazy(&text);
            let model = FileModel::lower(&doc);
            (doc, Some(model))
        }
    };
    let peak = common::peak_rss_bytes().saturating_sub(before);
    println!("{:.1} MB ({:.1}× the text)", peak as f64 / 1e6, peak as f64 / text.len() as f64);
    drop((doc, model));
}

#[divan::bench(args = SIZES, sample_count = 20)]
fn full_parse(b: Bencher, size: usize) {
    let text = common::article(size, 1);
    b.counter(BytesCount::of_str(&text)).bench(|| Document::new(&text));
}

/// Baseline for the edit below: parse the same rope again from nothing.
#[divan::bench(args = SIZES, sample_count = 20)]
fn full_reparse_of_same_text(b: Bencher, size: usize) {
    let doc = Document::new(&common::article(size, 1));
    b.bench(|| parse_rope(doc.rope(), None));
}

/// One keystroke: insert a character in the middle (alternately delete it,
/// so the text does not grow), edit the tree, re-parse incrementally.
#[divan::bench(args = SIZES, sample_count = 200)]
fn reparse_after_one_char_edit(b: Bencher, size: usize) {
    let text = common::article(size, 1);
    let at = common::middle_edit_point(&text);
    let mut doc = Document::new(&text);
    let mut inserted = false;
    b.bench_local(|| {
        if inserted {
            doc.edit(at..at + 1, "");
        } else {
            doc.edit(at..at, "x");
        }
        inserted = !inserted;
    });
}

#[divan::bench(args = SIZES, sample_count = 20)]
fn lower_model_from_scratch(b: Bencher, size: usize) {
    let doc = Document::new(&common::article(size, 1));
    b.bench(|| FileModel::lower(&doc));
}

/// One keystroke through the model: edit, re-parse, re-lower what changed.
#[divan::bench(args = SIZES, sample_count = 200)]
fn edit_reparse_and_relower(b: Bencher, size: usize) {
    let text = common::article(size, 1);
    let at = common::middle_edit_point(&text);
    let mut doc = Document::new(&text);
    let mut model = FileModel::lower(&doc);
    let mut inserted = false;
    b.bench_local(|| {
        let record = if inserted { doc.edit(at..at + 1, "") } else { doc.edit(at..at, "x") };
        inserted = !inserted;
        model = FileModel::relower(&doc, std::mem::replace(&mut model, FileModel::empty()), &[record]);
    });
}
