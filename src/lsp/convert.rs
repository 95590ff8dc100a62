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

/// The LSP position of a byte offset (moved back to a character start).
/// Three rope lookups; the column is counted in the line's own bytes.
pub fn to_position(doc: &Document, offset: usize, enc: Encoding) -> Position {
    let rope = doc.rope();
    let mut offset = offset.min(rope.len_bytes());
    let (chunk, chunk_start, _, _) = rope.chunk_at_byte(offset);
    // Chunks start and end at character boundaries.
    let bytes = chunk.as_bytes();
    while offset > chunk_start && offset - chunk_start < bytes.len() && (bytes[offset - chunk_start] & 0xC0) == 0x80 {
        offset -= 1;
    }
    let line = rope.byte_to_line(offset);
    let line_start = rope.line_to_byte(line);
    let character = match enc {
        Encoding::Utf8 => offset - line_start,
        Encoding::Utf16 if line_start >= chunk_start => utf16_len(&bytes[line_start - chunk_start..offset - chunk_start]),
        Encoding::Utf16 => rope.byte_slice(line_start..offset).chunks().map(|c| utf16_len(c.as_bytes())).sum(),
    };
    Position { line: line as u32, character: character as u32 }
}

/// UTF-16 code units in valid UTF-8: one per character, two for those
/// outside the BMP (4-byte sequences).
pub fn utf16_len(bytes: &[u8]) -> usize {
    let per_byte = |b: &[u8]| b.iter().map(|&b| usize::from((b & 0xC0) != 0x80) + usize::from(b >= 0xF0)).sum::<usize>();
    // ASCII eight bytes at a time: prose is mostly ASCII, and the sweep in
    // `positions` counts whole lines.
    let mut words = bytes.chunks_exact(8);
    let mut n = 0;
    for w in &mut words {
        let word = u64::from_le_bytes(w.try_into().expect("chunks of eight"));
        n += if word & 0x8080_8080_8080_8080 == 0 { 8 } else { per_byte(w) };
    }
    n + per_byte(words.remainder())
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

/// Core diagnostics of `file` as LSP diagnostics: the plain way, which
/// `publish` must agree with.
#[cfg(test)]
pub fn diagnostics(ws: &Workspace, file: FileId, diags: &[CoreDiagnostic], enc: Encoding) -> Vec<Diagnostic> {
    diags.iter().map(|d| diagnostic(ws, file, d, enc)).collect()
}

pub fn diagnostic(ws: &Workspace, file: FileId, d: &CoreDiagnostic, enc: Encoding) -> Diagnostic {
    let doc = &ws.file(file).expect("diagnosed file is loaded").doc;
    diagnostic_with(ws, d, to_lsp_range(doc, &d.range, enc), enc, &mut std::collections::HashMap::new())
}

fn diagnostic_with(
    ws: &Workspace,
    d: &CoreDiagnostic,
    range: Range,
    enc: Encoding,
    uris: &mut std::collections::HashMap<FileId, Option<Uri>>,
) -> Diagnostic {
    let message = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.to_string(),
    };
    let related: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|r| {
            let f = ws.file(r.file)?;
            let uri = uris.entry(r.file).or_insert_with(|| Uri::from_file_path(&f.path)).clone()?;
            let location = Location { uri, range: to_lsp_range(&f.doc, &r.range, enc) };
            Some(DiagnosticRelatedInformation { location, message: r.message.clone() })
        })
        .collect();
    Diagnostic {
        range,
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.name().to_string())),
        source: Some("newsmark".to_string()),
        message,
        related_information: Some(related).filter(|v| !v.is_empty()),
        tags: d.unnecessary.then(|| vec![DiagnosticTag::UNNECESSARY]),
        code_description: None,
        data: None,
    }
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
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

#[cfg(test)]
pub mod tests {
    use super::*;

    /// The position of `offset` counted the slow, obvious way.
    pub fn reference(text: &str, offset: usize, enc: Encoding) -> Position {
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = match enc {
            Encoding::Utf8 => offset - line_start,
            Encoding::Utf16 => before[line_start..].encode_utf16().count(),
        };
        Position { line: before.matches('\n').count() as u32, character: col as u32 }
    }

    #[test]
    fn positions_match_a_plain_count_in_both_encodings() {
        // Long enough for many rope chunks, so lines cross chunk ends.
        let mut text = String::new();
        for i in 0..400 {
            text.push_str(&format!("Путин {i} 한국어 😀 {{claim}}(@putin)\r\nline two é\n\n"));
        }
        let doc = Document::new(&text);
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            for o in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                let want = reference(&text, o, enc);
                assert_eq!(to_position(&doc, o, enc), want, "lookup at {o} ({enc:?})");
                // Between `\r` and `\n` is no place a client can name.
                if !text[..o].ends_with('\r') {
                    assert_eq!(to_offset(&doc, want, enc), o, "back from {want:?} ({enc:?})");
                }
            }
        }
        // Inside a character: `to_position` moves back to its start.
        let inside = text.find('П').unwrap() + 1;
        assert_eq!(to_position(&doc, inside, Encoding::Utf16), reference(&text, inside - 1, Encoding::Utf16));
        // Past the end: clamped.
        assert_eq!(to_position(&doc, text.len() + 10, Encoding::Utf16), reference(&text, text.len(), Encoding::Utf16));
    }
}
