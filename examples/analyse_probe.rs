//! Profiling aid: analyses one generated 1 MB document many times
//! (model + every diagnostic), so `perf record` has samples to show.
//! `SIZE` sets the document size, `RUNS` the repetitions; `WALK=1` first
//! times a bare cursor walk over the same trees, the floor of any lowering
//! that visits every node.
#[path = "../benches/common/mod.rs"]
mod common;
use std::sync::Arc;
use std::time::Instant;
use newsmark::analysis::*;
use newsmark::syntax::Document;
fn main() {
    let size = std::env::var("SIZE").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let runs: usize = std::env::var("RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(50);
    let text = common::article(size, 3);
    let config = Config::default();
    let (mut lowered, mut all, mut diags) = (Vec::new(), Vec::new(), Vec::new());
    let mut count = 0;
    // Parsed once: the trees are shared by reference count, so each run
    // times the analysis alone.
    let parsed = Document::new(&text);
    if std::env::var_os("WALK").is_some() {
        // The floor: a bare cursor walk over every node, on this thread.
        let mut times = Vec::new();
        let mut nodes = 0;
        for _ in 0..runs {
            let t = Instant::now();
            nodes = 0;
            for i in 0..parsed.segment_count() {
                nodes += parsed.with_segment_tree(i, walk);
            }
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        // The same walk over one segment again and again: its tree stays in
        // the cache, so the difference is the cost of memory.
        let mut hot = Vec::new();
        let mut seg_nodes = 0;
        for _ in 0..runs {
            let t = Instant::now();
            seg_nodes = parsed.with_segment_tree(1, walk);
            hot.push(t.elapsed().as_secs_f64() * 1e9 / seg_nodes as f64);
        }
        hot.sort_by(f64::total_cmp);
        println!("hot walk of one segment ({seg_nodes} nodes): {:.0} ns a node", hot[0]);
        println!("bare walk of {nodes} nodes, one thread: median {:.2} ms, minimum {:.2} ms", times[runs / 2], times[0]);
    }
    if std::env::var_os("DIAG_ONLY").is_some() {
        // Diagnostics alone, again and again on one model, for profiling.
        let mut ws = Workspace::new(Arc::new(MemoryFs::default()));
        let id = ws.insert(std::path::Path::new("/b/one.nmk"), parsed.clone(), true);
        let mut times: Vec<f64> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(file_diagnostics(&ws, id, &config));
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!("diagnostics alone: median {:.2} ms, minimum {:.2} ms", times[runs / 2], times[0]);
        return;
    }
    for _ in 0..runs {
        let mut ws = Workspace::new(Arc::new(MemoryFs::default()));
        let doc = parsed.clone();
        let t = Instant::now();
        let id = ws.insert(std::path::Path::new("/b/one.nmk"), doc, true);
        lowered.push(t.elapsed().as_secs_f64() * 1e3);
        let d = file_diagnostics(&ws, id, &config);
        all.push(t.elapsed().as_secs_f64() * 1e3);
        diags.push(all[all.len() - 1] - lowered[lowered.len() - 1]);
        count = d.len();
        std::hint::black_box(d);
    }
    lowered.sort_by(f64::total_cmp);
    diags.sort_by(f64::total_cmp);
    println!("{count} diagnostics: median {:.2} ms, minimum {:.2} ms", diags[runs / 2], diags[0]);
    all.sort_by(f64::total_cmp);
    // The minimum too: on a shared machine it is the steadiest figure for
    // comparing two builds.
    println!(
        "model {:.2} ms, model + diagnostics {:.2} ms (medians of {runs}); minimum {:.2} / {:.2} ms",
        lowered[runs / 2], all[runs / 2], lowered[0], all[0]
    );
}

/// Visits every node of `tree` with a cursor, as cheaply as that can be done;
/// returns how many there are.
fn walk(tree: &tree_sitter::Tree) -> usize {
    let mut c = tree.walk();
    let mut nodes = 0;
    loop {
        nodes += 1;
        std::hint::black_box(c.node().kind_id());
        if c.goto_first_child() || c.goto_next_sibling() {
            continue;
        }
        loop {
            if !c.goto_parent() {
                return nodes;
            }
            if c.goto_next_sibling() {
                break;
            }
        }
    }
}
