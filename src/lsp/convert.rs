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

/// Token types, in the order `semantic_tokens` indexes them.
const TOKEN_TYPES: [SemanticTokenType; 5] = [
    SemanticTokenType::VARIABLE,  // party
    SemanticTokenType::TYPE,      // source
    SemanticTokenType::ENUM_MEMBER, // status
    SemanticTokenType::STRING,    // claim text
    SemanticTokenType::PROPERTY,  // property and front-matter keys
];

pub fn semantic_legend() -> SemanticTokensLegend {
    SemanticTokensLegend { token_types: TOKEN_TYPES.to_vec(), token_modifiers: vec![SemanticTokenModifier::DECLARATION] }
}

/// Delta-encoded tokens; a token over several lines becomes one per line
/// (clients need not support multi-line tokens).
pub fn semantic_tokens(doc: &Document, tokens: &[newsmark::analysis::structure::Token], enc: Encoding) -> Vec<SemanticToken> {
    use newsmark::analysis::structure::TokenKind;
    let rope = doc.rope();
    let mut out = Vec::with_capacity(tokens.len());
    let (mut prev_line, mut prev_start) = (0u32, 0u32);
    for t in tokens {
        let token_type = match t.kind {
            TokenKind::Party => 0,
            TokenKind::Source => 1,
            TokenKind::Status => 2,
            TokenKind::Claim => 3,
            TokenKind::PropertyKey => 4,
        };
        let modifiers = u32::from(t.declaration);
        let mut start = t.range.start;
        while start < t.range.end {
            let line = rope.byte_to_line(start);
            let line_end = if line + 1 < rope.len_lines() { rope.line_to_byte(line + 1) } else { rope.len_bytes() };
            // Stop before the newline (and a CR before it).
            let mut end = t.range.end.min(line_end);
            while end > start && matches!(rope.byte(end - 1), b'\n' | b'\r') {
                end -= 1;
            }
            if end > start {
                let a = to_position(doc, start, enc);
                let b = to_position(doc, end, enc);
                let delta_line = a.line - prev_line;
                let delta_start = if delta_line == 0 { a.character - prev_start } else { a.character };
                out.push(SemanticToken { delta_line, delta_start, length: b.character - a.character, token_type, token_modifiers_bitset: modifiers });
                prev_line = a.line;
                prev_start = a.character;
            }
            start = line_end;
        }
    }
    out
}
