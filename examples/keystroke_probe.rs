#[path = "../benches/common/mod.rs"]
mod common;
use std::sync::Arc;
use std::time::Instant;
use newsmark::analysis::*;
use newsmark::syntax::TextEdit;
fn main() {
    let size = std::env::var("SIZE").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let text = common::article(size, 5);
    let at = common::middle_edit_point(&text);
    let mut ws = Workspace::new(Arc::new(MemoryFs::default()));
    let id = ws.set_text(std::path::Path::new("/x/a.nmk"), &text, true);
    let config = Config::default();
    let (mut t_edit, mut t_diag) = (0.0, 0.0);
    let n = 100;
    let mut cache = DiagnosticsCache::default();
    for i in 0..n {
        let e = if i % 2 == 0 { TextEdit { range: at..at, text: "x".into() } } else { TextEdit { range: at..at + 1, text: String::new() } };
        let t = Instant::now();
        ws.edit(id, &[e]);
        t_edit += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let d = file_diagnostics_cached(&ws, id, &config, &mut cache);
        t_diag += t.elapsed().as_secs_f64();
        std::hint::black_box(d);
    }
    println!("edit+reparse+relower {:.2} ms, diagnostics {:.2} ms ({} diags)", t_edit / n as f64 * 1e3, t_diag / n as f64 * 1e3, file_diagnostics(&ws, id, &config).len());
}
