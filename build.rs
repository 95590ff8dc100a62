//! Compiles the committed, generated tree-sitter parser into the crate.
//! `grammar/src/parser.c` is produced by `tree-sitter generate` from
//! `grammar/grammar.js`; CI regenerates it and fails on any difference.

fn main() {
    let dir = std::path::Path::new("grammar/src");
    cc::Build::new()
        .std("c11")
        .include(dir)
        .file(dir.join("parser.c"))
        .file(dir.join("scanner.c"))
        // Generated parsers trip these; they are not ours to fix.
        .flag_if_supported("-Wno-unused-parameter")
        .flag_if_supported("-Wno-unused-but-set-variable")
        .compile("tree-sitter-newsmark");
    println!("cargo:rerun-if-changed=grammar/src/parser.c");
    println!("cargo:rerun-if-changed=grammar/src/scanner.c");
    println!("cargo:rerun-if-changed=grammar/src/tree_sitter/parser.h");
}
