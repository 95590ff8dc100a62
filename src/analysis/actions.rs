//! Quick fixes for diagnostics, as text edits.

use crate::model::{BlockKind, RefKind, Span};

use super::codes::Code;
use super::config::Config;
use super::diagnostics::{Diagnostic, file_diagnostics, nearest};
use super::scope::Scope;
use super::workspace::{FileId, Workspace};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub file: FileId,
    pub range: Span,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub title: String,
    pub edits: Vec<Edit>,
    /// The fix an editor may apply without asking (the one obvious fix).
    pub preferred: bool,
    /// The diagnostic it fixes.
    pub diagnostic: Diagnostic,
}

/// Fixes for the diagnostics of `file` that touch `range`.
pub fn code_actions(ws: &Workspace, file: FileId, range: Span, config: &Config) -> Vec<Action> {
    let Some(f) = ws.file(file) else { return Vec::new() };
    let diags: Vec<Diagnostic> = file_diagnostics(ws, file, config)
        .into_iter()
        .filter(|d| d.range.start <= range.end && range.start <= d.range.end)
        .collect();
    let scope = Scope::build(ws, file);
    let text_of = |r: &Span| f.doc.rope().byte_slice(r.clone()).to_string();
    let mut out = Vec::new();
    for d in diags {
        let action = |title: String, edits: Vec<Edit>, preferred: bool| Action { title, edits, preferred, diagnostic: d.clone() };
        match d.code {
            Code::UndefinedParty | Code::UndefinedSource => {
                let kind = if d.code == Code::UndefinedParty { RefKind::Party } else { RefKind::Source };
                let id = text_of(&d.range).trim_start_matches(['@', '^']).to_string();
                if let Some(near) = nearest(&id, scope.ids(kind)) {
                    out.push(action(
                        format!("Change to `{}{near}`", kind.sigil()),
                        vec![Edit { file, range: d.range.start + 1..d.range.end, text: near.to_string() }],
                        true,
                    ));
                }
                out.push(action(format!("Define `{}{id}` in this file", kind.sigil()), vec![define_stub(ws, file, kind, &id)], false));
            }
            Code::UnsourcedClaim => {
                let Some(claim) = claim_at(ws, file, &d.range) else { continue };
                let mut sources: Vec<&str> = scope.ids(RefKind::Source).collect();
                sources.sort_unstable();
                for s in sources.into_iter().take(8) {
                    let edit = match &claim.1 {
                        Some(attr) if attr.end - attr.start > 2 => Edit { file, range: attr.end - 1..attr.end - 1, text: format!(" ^{s}") },
                        Some(attr) => Edit { file, range: attr.end - 1..attr.end - 1, text: format!("^{s}") },
                        None => Edit { file, range: claim.0..claim.0, text: format!("(^{s})") },
                    };
                    out.push(action(format!("Cite `^{s}` as the claim's source"), vec![edit], false));
                }
            }
            Code::UnknownStatus => {
                let word = text_of(&d.range);
                let word = word.trim_start_matches('!');
                let best = nearest(word, config.all_statuses());
                for status in config.all_statuses() {
                    out.push(action(
                        format!("Change to `!{status}`"),
                        vec![Edit { file, range: d.range.start + 1..d.range.end, text: status.to_string() }],
                        Some(status) == best,
                    ));
                }
            }
            _ => {}
        }
        if d.code != Code::Syntax {
            if let Some(block) = f.model.block_at(d.range.start) {
                if block.block.kind != BlockKind::FrontMatter {
                    out.push(action(
                        format!("Allow `{}` in this block", d.code),
                        vec![Edit { file, range: block.start..block.start, text: format!("%% allow: {}\n", d.code) }],
                        false,
                    ));
                }
            }
        }
    }
    out
}

/// The claim whose range is `range`: (where its `}` ends, its attribution).
fn claim_at(ws: &Workspace, file: FileId, range: &Span) -> Option<(usize, Option<Span>)> {
    let block = ws.file(file)?.model.block_at(range.start)?;
    let c = block.block.claims.iter().find(|c| block.abs(&c.range) == *range)?;
    Some((block.abs(c.close.as_ref()?).end, c.attribution.as_ref().map(|a| block.abs(a))))
}

/// `[@id]: id` after the file's last definition (or after the front matter,
/// or at the top), so definitions stay together.
fn define_stub(ws: &Workspace, file: FileId, kind: RefKind, id: &str) -> Edit {
    let f = ws.file(file).expect("file exists");
    let stub = format!("[{}{id}]: {id}\n", kind.sigil());
    let ends_with_newline = |end: usize| end > 0 && f.doc.rope().byte(end - 1) == b'\n';
    if let Some((block, _)) = f.model.definitions().last() {
        let end = block.range().end;
        let text = if ends_with_newline(end) { stub } else { format!("\n{stub}") };
        return Edit { file, range: end..end, text };
    }
    match f.model.block(0) {
        Some(b) if b.block.kind == BlockKind::FrontMatter => {
            let end = b.range().end;
            let lead = if ends_with_newline(end) { "\n" } else { "\n\n" };
            Edit { file, range: end..end, text: format!("{lead}{stub}\n") }
        }
        _ => Edit { file, range: 0..0, text: format!("{stub}\n") },
    }
}
