//! Times lowering a 1 MB document from scratch, and model + diagnostics.
#[path = "../benches/common/mod.rs"]
mod common;
fn main() {
    let text = common::article(1_000_000, 5);
    let doc = newsmark::syntax::Document::new(&text);
    let t = std::time::Instant::now();
    for _ in 0..30 { std::hint::black_box(newsmark::model::FileModel::lower(&doc)); }
    println!("lower (trees kept) {:.2} ms", t.elapsed().as_secs_f64() / 30.0 * 1e3);
}
