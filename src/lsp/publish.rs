//! `textDocument/publishDiagnostics`, written straight into a frame.
//!
//! A 10 MB article has ~5,600 diagnostics, and all of them go out on every
//! keystroke (push diagnostics have no deltas). Built as `ls_types`
//! values and serialised, that was most of the keystroke's cost. Here each
//! diagnostic's JSON after its range — severity, code, source, message,
//! tags — is kept per core diagnostic, keyed by its shared message (a cached
//! block's diagnostics share their `Arc<str>` from one keystroke to the
//! next), and only the range is written anew. A test checks the frame
//! against the same diagnostics built as `ls_types` values.

use rustc_hash::FxHashMap as HashMap;
use std::io::Write;
use std::sync::Arc;

use newsmark::analysis::{Diagnostic as CoreDiagnostic, FileId, Severity, Workspace};
use serde::Serialize;
use tower_lsp_server::ls_types::{DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, Location, Position, Uri};

use super::convert::{self, Encoding};
use super::line_index::LineIndex;

/// Serialised diagnostic tails and line starts of one file, reused across
/// publishes.
#[derive(Default)]
pub struct PublishCache {
    generation: u64,
    entries: HashMap<TailKey, Tail>,
    lines: LineIndex,
}

/// The message's and help's allocations identify a cached core diagnostic;
/// the rest is what the level settings may change.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct TailKey {
    message: usize,
    help: usize,
    code: &'static str,
    severity: Severity,
    unnecessary: bool,
}

struct Tail {
    /// Keeps the keyed allocations alive, so no other message can take
    /// their addresses while the entry exists.
    _message: Arc<str>,
    _help: Option<Arc<str>>,
    json: Vec<u8>,
    seen: u64,
}

/// A diagnostic's fields after `range`, in `ls_types::Diagnostic`'s order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TailFields<'a> {
    severity: DiagnosticSeverity,
    code: &'a str,
    source: &'static str,
    message: Message<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_information: Vec<DiagnosticRelatedInformation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<[DiagnosticTag; 1]>,
}

/// The message with its help line, written without building the string.
struct Message<'a>(&'a str, Option<&'a str>);

impl Serialize for Message<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.1 {
            Some(help) => s.collect_str(&format_args!("{}\nhelp: {help}", self.0)),
            None => s.serialize_str(self.0),
        }
    }
}

/// The frame publishing `diags` (core diagnostics of `file`) for `uri`.
pub fn frame(
    ws: &Workspace,
    file: FileId,
    uri: &Uri,
    version: Option<i32>,
    diags: &[CoreDiagnostic],
    enc: Encoding,
    cache: &mut PublishCache,
) -> Vec<u8> {
    cache.generation += 1;
    let generation = cache.generation;
    let positions = match ws.file(file) {
        Some(f) => {
            let offsets: Vec<usize> = diags.iter().flat_map(|d| [d.range.start, d.range.end]).collect();
            cache.lines.positions(&f.doc, &f.model, &offsets, enc)
        }
        None => vec![Position::default(); 2 * diags.len()],
    };
    let mut body = Vec::with_capacity(64 + diags.len() * 320);
    body.extend_from_slice(br#"{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"#);
    serde_json::to_writer(&mut body, uri).expect("a URI serialises");
    body.extend_from_slice(br#","diagnostics":["#);
    let mut uris = HashMap::default();
    for (i, d) in diags.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        let (a, b) = (positions[2 * i], positions[2 * i + 1]);
        let mut n = itoa::Buffer::new();
        body.extend_from_slice(br#"{"range":{"start":{"line":"#);
        body.extend_from_slice(n.format(a.line).as_bytes());
        body.extend_from_slice(br#","character":"#);
        body.extend_from_slice(n.format(a.character).as_bytes());
        body.extend_from_slice(br#"},"end":{"line":"#);
        body.extend_from_slice(n.format(b.line).as_bytes());
        body.extend_from_slice(br#","character":"#);
        body.extend_from_slice(n.format(b.character).as_bytes());
        body.extend_from_slice(br#"}},"#);
        let severity = convert::severity(d.severity);
        if d.related.is_empty() {
            let key = TailKey {
                message: Arc::as_ptr(&d.message) as *const u8 as usize,
                help: d.help.as_ref().map_or(0, |h| Arc::as_ptr(h) as *const u8 as usize),
                code: d.code.name(),
                severity: d.severity,
                unnecessary: d.unnecessary,
            };
            let tail = cache.entries.entry(key).or_insert_with(|| Tail {
                _message: Arc::clone(&d.message),
                _help: d.help.clone(),
                json: tail_json(d, severity, Vec::new()),
                seen: 0,
            });
            tail.seen = generation;
            body.extend_from_slice(&tail.json);
        } else {
            // Related locations move with other text: written every time.
            let related = d
                .related
                .iter()
                .filter_map(|r| {
                    let f = ws.file(r.file)?;
                    let uri = uris.entry(r.file).or_insert_with(|| Uri::from_file_path(&f.path)).clone()?;
                    let location = Location { uri, range: convert::to_lsp_range(&f.doc, &r.range, enc) };
                    Some(DiagnosticRelatedInformation { location, message: r.message.clone() })
                })
                .collect();
            body.extend_from_slice(&tail_json(d, severity, related));
        }
    }
    body.push(b']');
    if let Some(v) = version {
        let _ = write!(body, r#","version":{v}"#);
    }
    body.extend_from_slice(b"}}");
    if cache.entries.len() > 2 * diags.len() + 64 {
        cache.entries.retain(|_, t| t.seen == generation);
    }
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend_from_slice(&body);
    frame
}

/// `"severity":…}` — the object's fields after the range, closing brace
/// included.
fn tail_json(d: &CoreDiagnostic, severity: DiagnosticSeverity, related: Vec<DiagnosticRelatedInformation>) -> Vec<u8> {
    let fields = TailFields {
        severity,
        code: d.code.name(),
        source: "newsmark",
        message: Message(&d.message, d.help.as_deref()),
        related_information: related,
        tags: d.unnecessary.then_some([DiagnosticTag::UNNECESSARY]),
    };
    let mut json = serde_json::to_vec(&fields).expect("diagnostic fields serialise");
    json.remove(0); // the opening brace: the range comes first
    json
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsmark::analysis::{Config, DiagnosticsCache, MemoryFs, file_diagnostics, file_diagnostics_cached};
    use newsmark::syntax::TextEdit;
    use serde_json::Value;
    use tower_lsp_server::ls_types::PublishDiagnosticsParams;

    fn body(frame: &[u8]) -> Value {
        let text = std::str::from_utf8(frame).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert_eq!(head, format!("Content-Length: {}", body.len()));
        serde_json::from_str(body).unwrap()
    }

    /// The same diagnostics built as `ls_types` values, the plain way.
    fn plain(ws: &Workspace, file: FileId, uri: &Uri, version: Option<i32>, enc: Encoding) -> Value {
        let diags = file_diagnostics(ws, file, &Config::default());
        let params = PublishDiagnosticsParams { uri: uri.clone(), diagnostics: convert::diagnostics(ws, file, &diags, enc), version };
        body(&super::super::framing::notification("textDocument/publishDiagnostics", &params))
    }

    #[test]
    fn frames_equal_plainly_built_diagnostics_before_and_after_edits() {
        let cast = "[@putin]: Vladimir Putin\n  kind: persn\n[@putin]: Again\n[^unused]: Unused \"quoted\"\n";
        let article = "---\nuse: cast.nmk\n---\n\nПутин 한국어 😀 {said}(@putin) and {x}(@nobody ^tass !rumor).\n\n{}\n\n%% allow: bogus-code\n";
        let mut fs = MemoryFs::default();
        fs.files.insert("/w/cast.nmk".into(), cast.into());
        fs.files.insert("/w/a.nmk".into(), article.into());
        let mut ws = Workspace::new(Arc::new(fs));
        let cast_id = ws.set_text(std::path::Path::new("/w/cast.nmk"), cast, true);
        let id = ws.set_text(std::path::Path::new("/w/a.nmk"), article, true);
        ws.load_imports();
        let uri = Uri::from_file_path("/w/a.nmk").unwrap();
        let cast_uri = Uri::from_file_path("/w/cast.nmk").unwrap();
        let (mut cache, mut core_cache) = (PublishCache::default(), DiagnosticsCache::default());
        for enc in [Encoding::Utf16, Encoding::Utf8] {
            for round in 0..3 {
                // Cached core diagnostics share their messages between
                // rounds, so later rounds reuse serialised tails.
                let diags = file_diagnostics_cached(&ws, id, &Config::default(), &mut core_cache);
                assert!(diags.iter().any(|d| d.help.is_some()) && diags.len() >= 4, "{diags:#?}");
                let fast = body(&frame(&ws, id, &uri, Some(round), &diags, enc, &mut cache));
                assert_eq!(fast, plain(&ws, id, &uri, Some(round), enc), "round {round}, {enc:?}");
                if round > 0 {
                    assert!(cache.entries.values().filter(|t| t.seen == cache.generation).count() >= 3, "tails reused");
                }
                // The cast has related locations (a duplicate) and tags.
                let cast_diags = file_diagnostics(&ws, cast_id, &Config::default());
                let fast = body(&frame(&ws, cast_id, &cast_uri, None, &cast_diags, enc, &mut PublishCache::default()));
                assert_eq!(fast, plain(&ws, cast_id, &cast_uri, None, enc));
                // Lines shift above every diagnostic.
                let at = article.find("Путин").unwrap();
                ws.edit(id, &[TextEdit { range: at..at, text: "Ёж\n\n".into() }]);
            }
        }
    }
}
