//! Structure for editors: semantic tokens, folding ranges, document links.

use crate::model::{BlockKind, RefKind, Span};

use super::workspace::{FileId, Workspace};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TokenKind {
    Party,
    Source,
    Status,
    Claim,
    PropertyKey,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub range: Span,
    pub kind: TokenKind,
    /// The id of a definition (`[@id]:`), as opposed to a use.
    pub declaration: bool,
}

/// Non-overlapping tokens in document order. Claim text is split around
/// the marks inside it, so a mention in a claim is a party token, and the
/// prose around it a claim token.
pub fn semantic_tokens(ws: &Workspace, file: FileId) -> Vec<Token> {
    let Some(f) = ws.file(file) else { return Vec::new() };
    let mut out = Vec::new();
    for block in f.model.blocks() {
        let b = block.block;
        let mut marks: Vec<Token> = Vec::new();
        for r in &b.references {
            let kind = if r.kind == RefKind::Party { TokenKind::Party } else { TokenKind::Source };
            marks.push(Token { range: block.abs(&r.range), kind, declaration: false });
        }
        for s in &b.statuses {
            marks.push(Token { range: block.abs(&s.range), kind: TokenKind::Status, declaration: false });
        }
        if let Some(d) = &b.definition {
            let kind = if d.kind == RefKind::Party { TokenKind::Party } else { TokenKind::Source };
            marks.push(Token { range: block.abs(&d.id_range), kind, declaration: true });
            for p in &d.properties {
                marks.push(Token { range: block.abs(&p.key_range), kind: TokenKind::PropertyKey, declaration: false });
            }
        }
        for fm in &b.front_matter {
            marks.push(Token { range: block.abs(&fm.key_range), kind: TokenKind::PropertyKey, declaration: false });
        }
        marks.sort_by_key(|t| t.range.start);
        // Claim text: each outermost claim's body, minus the marks in it.
        let mut claims: Vec<Span> = b.claims.iter().filter(|c| c.parent.is_none()).map(|c| block.abs(&c.body)).collect();
        claims.sort_by_key(|r| r.start);
        for body in claims {
            let mut at = body.start;
            for m in marks.iter().filter(|m| m.range.start >= body.start && m.range.end <= body.end) {
                if m.range.start > at {
                    out.push(Token { range: at..m.range.start, kind: TokenKind::Claim, declaration: false });
                }
                at = at.max(m.range.end);
            }
            if body.end > at {
                out.push(Token { range: at..body.end, kind: TokenKind::Claim, declaration: false });
            }
        }
        out.extend(marks);
    }
    out.sort_by_key(|t| (t.range.start, t.range.end));
    out.retain(|t| !t.range.is_empty());
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoldKind {
    Region,
    Comment,
    FrontMatter,
}

/// Foldable ranges: multi-line blocks, and runs of comment lines. The end
/// excludes the block's final newline.
pub fn folding_ranges(ws: &Workspace, file: FileId) -> Vec<(Span, FoldKind)> {
    let Some(f) = ws.file(file) else { return Vec::new() };
    let text_end = |r: Span| {
        let end = if r.end > r.start && f.doc.rope().byte(r.end - 1) == b'\n' { r.end - 1 } else { r.end };
        r.start..end
    };
    let mut out: Vec<(Span, FoldKind)> = Vec::new();
    let mut comment_run: Option<Span> = None;
    for block in f.model.blocks() {
        let range = text_end(block.range());
        if block.block.kind == BlockKind::Comment {
            comment_run = Some(match comment_run {
                Some(run) if run.end + 1 >= range.start => run.start..range.end,
                Some(run) => {
                    out.push((run, FoldKind::Comment));
                    range
                }
                None => range,
            });
            continue;
        }
        if let Some(run) = comment_run.take() {
            out.push((run, FoldKind::Comment));
        }
        let kind = if block.block.kind == BlockKind::FrontMatter { FoldKind::FrontMatter } else { FoldKind::Region };
        out.push((range, kind));
    }
    if let Some(run) = comment_run {
        out.push((run, FoldKind::Comment));
    }
    // Only ranges over more than one line fold.
    out.retain(|(r, _)| f.doc.rope().byte_to_line(r.start) < f.doc.rope().byte_to_line(r.end));
    out
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkTarget {
    Url(String),
    File(FileId),
}

/// Links: `url:` property values, `[text](https://…)` targets, and `use:`
/// paths that resolve.
pub fn document_links(ws: &Workspace, file: FileId) -> Vec<(Span, LinkTarget)> {
    let Some(f) = ws.file(file) else { return Vec::new() };
    let mut out = Vec::new();
    for block in f.model.blocks() {
        if let Some(d) = &block.block.definition {
            if let Some(p) = d.property("url").filter(|p| is_url(&p.value)) {
                out.push((block.abs(&p.value_range), LinkTarget::Url(p.value.clone())));
            }
        }
        for l in &block.block.links {
            if is_url(&l.url) {
                out.push((block.abs(&l.range), LinkTarget::Url(l.url.to_string())));
            }
        }
    }
    for import in &f.imports {
        if let Some(t) = import.target {
            out.push((import.item.range.clone(), LinkTarget::File(t)));
        }
    }
    out.sort_by_key(|(r, _)| r.start);
    out
}

fn is_url(s: &str) -> bool {
    s.starts_with("https://") || s.starts_with("http://") || s.starts_with("mailto:")
}
