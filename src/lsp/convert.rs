//! The edge: LSP positions (UTF-16 or UTF-8) ↔ byte offsets, and core
//! diagnostics → LSP diagnostics. Converted here once, nowhere else.

use newsmark::analysis::queries::Location as CoreLocation;
use newsmark::analysis::{Diagnostic as CoreDiagnostic, FileId, Severity, Workspace};
use newsmark::syntax::Document;
use tower_lsp_server::ls_types::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it (no conversion needed), else UTF-16,
    /// the protocol's default.
    pub fn negotiate(params: &InitializeParams) -> Encoding {
        let offered = params.capabilities.general.as_ref().and_then(|g| g.position_encodings.as_ref());
        if offered.is_some_and(|list| list.contains(&PositionEncodingKind::UTF8)) { Encoding::Utf8 } else { Encoding::Utf16 }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }
}

/// A byte offset for an LSP position. A line past the end clamps to the
/// end of the text, a column past the line's end to the line's end (before
/// its newline), and a column inside a character to the character's start.
pub fn to_offset(doc: &Document, pos: Position, enc: Encoding) -> usize {
    let rope = doc.rope();
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let line_start = rope.line_to_byte(line);
    let slice = rope.line(line);
    let mut content_len = slice.len_bytes();
    // Exclude the line's newline (and the CR of a CRLF).
    if content_len > 0 && slice.byte(content_len - 1) == b'\n' {
        content_len -= 1;
        if content_len > 0 && slice.byte(content_len - 1) == b'\r' {
            content_len -= 1;
        }
    }
    let col = pos.character as usize;
    let within = match enc {
        Encoding::Utf8 => col.min(content_len),
        Encoding::Utf16 => {
            let line_chars = slice.byte_to_char(content_len);
            let cu_total = slice.char_to_utf16_cu(line_chars);
            let ch = slice.utf16_cu_to_char(col.min(cu_total));
            slice.char_to_byte(ch)
        }
    };
    doc.floor_char_boundary(line_start + within)
}

pub fn to_position(doc: &Document, offset: usize, enc: Encoding) -> Position {
    let rope = doc.rope();
    let offset = doc.floor_char_boundary(offset);
    let line = rope.byte_to_line(offset);
    let line_start = rope.line_to_byte(line);
    let character = match enc {
        Encoding::Utf8 => offset - line_start,
        Encoding::Utf16 => {
            let a = rope.char_to_utf16_cu(rope.byte_to_char(line_start));
            let b = rope.char_to_utf16_cu(rope.byte_to_char(offset));
            b - a
        }
    };
    Position { line: line as u32, character: character as u32 }
}

pub fn to_range(doc: &Document, range: Range, enc: Encoding) -> std::ops::Range<usize> {
    let a = to_offset(doc, range.start, enc);
    let b = to_offset(doc, range.end, enc);
    a.min(b)..a.max(b)
}

pub fn to_lsp_range(doc: &Document, range: &std::ops::Range<usize>, enc: Encoding) -> Range {
    Range { start: to_position(doc, range.start, enc), end: to_position(doc, range.end, enc) }
}

pub fn location(ws: &Workspace, loc: &CoreLocation, enc: Encoding) -> Option<Location> {
    let file = ws.file(loc.file)?;
    Some(Location { uri: Uri::from_file_path(&file.path)?, range: to_lsp_range(&file.doc, &loc.range, enc) })
}

pub fn diagnostic(ws: &Workspace, file: FileId, d: &CoreDiagnostic, enc: Encoding) -> Diagnostic {
    let doc = &ws.file(file).expect("diagnosed file is loaded").doc;
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    Diagnostic {
        range: to_lsp_range(doc, &d.range, enc),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
            Severity::Hint => DiagnosticSeverity::HINT,
        }),
        code: Some(NumberOrString::String(d.code.name().to_string())),
        source: Some("newsmark".to_string()),
        message,
        related_information: Some(
            d.related
                .iter()
                .filter_map(|r| {
                    let location = location(ws, &CoreLocation { file: r.file, range: r.range.clone() }, enc)?;
                    Some(DiagnosticRelatedInformation { location, message: r.message.clone() })
                })
                .collect(),
        )
        .filter(|v: &Vec<_>| !v.is_empty()),
        tags: d.unnecessary.then(|| vec![DiagnosticTag::UNNECESSARY]),
        code_description: None,
        data: None,
    }
}
