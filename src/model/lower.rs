//! Lowering: one top-level syntax node → one [`Block`].
//!
//! Reads the block's text once and walks its subtree; every range it records
//! is relative to the block's start. Syntax errors (`ERROR` and `MISSING`
//! nodes) become [`SyntaxError`]s worded for a reporter, not a parser.

use std::sync::LazyLock;

use crate::syntax::{Kind, Node, TreeCursor, field, kind_of, language};

use super::types::*;

/// Grammar ids the inline walk compares against (a cursor knows the field
/// of the node it stands on, so no child needs looking up by name).
struct Ids {
    body: Option<std::num::NonZeroU16>,
    attribution: Option<std::num::NonZeroU16>,
    /// The `}` token's kind id.
    close_brace: Option<u16>,
}

static IDS: LazyLock<Ids> = LazyLock::new(|| {
    let lang = language();
    Ids {
        body: lang.field_id_for_name(field::BODY),
        attribution: lang.field_id_for_name(field::ATTRIBUTION),
        close_brace: Some(lang.id_for_node_kind("}", false)).filter(|id| *id != 0),
    }
});

pub(crate) fn lower_block(node: Node<'_>, text: &str) -> Block {
    let mut lowerer =
        Lowerer { base: node.start_byte(), text, block: Block::new(BlockKind::Error, text.len()), cursor: node.walk() };
    lowerer.block.content_len = content_len(text);
    lowerer.block(node);
    if node.has_error() {
        lowerer.collect_errors(node);
    }
    let mut block = lowerer.block;
    // Blocks live as long as their text is unchanged: no spare capacity.
    block.claims.shrink_to_fit();
    block.references.shrink_to_fit();
    block.statuses.shrink_to_fit();
    block.links.shrink_to_fit();
    block
}

struct Lowerer<'t, 'tree> {
    base: usize,
    text: &'t str,
    block: Block,
    /// One cursor for the whole block: the inline walk moves it down and
    /// back up, so lowering allocates no cursor per node.
    cursor: TreeCursor<'tree>,
}

impl<'t, 'tree> Lowerer<'t, 'tree> {
    fn span(&self, node: Node<'_>) -> Span {
        // Clamped: a node never lies outside its block, but a wrong range
        // must not become a panic.
        let start = node.start_byte().saturating_sub(self.base).min(self.text.len());
        let end = node.end_byte().saturating_sub(self.base).clamp(start, self.text.len());
        start..end
    }

    fn slice(&self, span: &Span) -> &'t str {
        self.text.get(span.clone()).unwrap_or("")
    }

    fn node_text(&self, node: Node<'_>) -> &'t str {
        self.slice(&self.span(node))
    }

    fn block(&mut self, node: Node<'tree>) {
        let kind = kind_of(node);
        self.block.kind = match kind {
            Kind::FrontMatter => BlockKind::FrontMatter,
            Kind::Heading => {
                let level = node
                    .child_by_field_name(field::MARKER)
                    .map(|m| self.node_text(m).bytes().filter(|b| *b == b'#').count())
                    .unwrap_or(1);
                BlockKind::Heading(level.clamp(1, 6) as u8)
            }
            Kind::Paragraph => BlockKind::Paragraph,
            Kind::BlockQuote => BlockKind::Quote,
            Kind::ListItem => BlockKind::ListItem,
            Kind::Comment => BlockKind::Comment,
            Kind::PartyDefinition => BlockKind::PartyDefinition,
            Kind::SourceDefinition => BlockKind::SourceDefinition,
            _ => BlockKind::Error,
        };
        match kind {
            Kind::FrontMatter => self.front_matter(node),
            Kind::PartyDefinition => self.definition(node, RefKind::Party),
            Kind::SourceDefinition => self.definition(node, RefKind::Source),
            Kind::Comment => self.comment(node),
            Kind::Heading => {
                let mut heading = String::new();
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    if kind_of(child) != Kind::HeadingMarker {
                        heading.push_str(self.node_text(child));
                    }
                }
                self.block.heading = Some(heading.trim().into());
                self.inline_children(None);
            }
            Kind::Error => {}
            _ => self.inline_children(None),
        }
    }

    fn front_matter(&mut self, node: Node<'_>) {
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            if kind_of(child) == Kind::InvalidLine {
                let range = self.span(child);
                self.block.errors.push(SyntaxError {
                    range,
                    message: "front matter lines are `key: value`; this line has no `:`".to_string(),
                });
                continue;
            }
            if kind_of(child) != Kind::FrontMatterField {
                continue;
            }
            let Some(key) = child.child_by_field_name(field::KEY) else { continue };
            let key_range = self.key_span(key);
            let (value, value_range) = match child.child_by_field_name(field::VALUE) {
                Some(v) => {
                    let span = self.trimmed(self.span(v));
                    (self.slice(&span).to_string(), span)
                }
                None => (String::new(), key_range.end + 1..key_range.end + 1),
            };
            self.block.front_matter.push(Field {
                key: self.slice(&key_range).into(),
                key_range,
                value,
                value_range,
            });
        }
    }

    /// A `key:` token without its colon.
    fn key_span(&self, key: Node<'_>) -> Span {
        let span = self.span(key);
        let text = self.slice(&span);
        let key = text.strip_suffix(':').unwrap_or(text).trim_end();
        span.start..span.start + key.len()
    }

    /// A span without the trailing white space the grammar keeps in values.
    fn trimmed(&self, span: Span) -> Span {
        let s = self.slice(&span);
        span.start..span.start + s.trim_end().len()
    }

    fn definition(&mut self, node: Node<'_>, kind: RefKind) {
        let Some(id) = node.child_by_field_name(field::ID) else { return };
        let id_range = self.span(id);
        let name_node = node.child_by_field_name(field::NAME);
        let name_range = name_node.map(|n| self.trimmed(self.span(n)));
        let name = name_range.as_ref().map(|r| self.slice(r).to_string()).unwrap_or_default();
        let header_end = name_range.as_ref().map_or_else(
            || {
                // `[@id]:` — the header ends after the colon.
                let after = id_range.end;
                self.text[after..].find(':').map_or(after, |i| after + i + 1)
            },
            |r| r.end,
        );
        let mut properties = Vec::new();
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            if kind_of(child) != Kind::Property {
                continue;
            }
            let Some(key) = child.child_by_field_name(field::KEY) else {
                let range = self.span(child);
                let range = range.start + (self.slice(&range).len() - self.slice(&range).trim_start().len())..range.end;
                self.block.errors.push(SyntaxError {
                    range,
                    message: "property lines are `key: value`; this indented line has no `:`".to_string(),
                });
                continue;
            };
            let key_range = self.key_span(key);
            let key_text: Box<str> = self.slice(&key_range).into();
            let (value, value_range) = match child.child_by_field_name(field::VALUE) {
                Some(v) => {
                    let span = self.trimmed(self.span(v));
                    (self.slice(&span).to_string(), span)
                }
                None => (String::new(), key_range.end + 1..key_range.end + 1),
            };
            if kind == RefKind::Source && &*key_text == "by" && !value.is_empty() {
                self.by_reference(&value, value_range.clone());
            }
            let range = key_range.start..value_range.end.max(key_range.end + 1);
            properties.push(Property { key: key_text, key_range, value, value_range, range });
        }
        self.block.definition = Some(Box::new(Definition {
            kind,
            id: self.slice(&id_range).into(),
            id_range,
            name,
            name_range,
            header: 0..header_end,
            properties,
        }));
    }

    /// `by: @party` — a reference in a property value.
    fn by_reference(&mut self, value: &str, range: Span) {
        let id = value.strip_prefix('@').unwrap_or("");
        if is_identifier(id) {
            self.block.references.push(Reference {
                kind: RefKind::Party,
                id: id.into(),
                range,
                context: RefContext::ByProperty,
                claim: None,
            });
        } else {
            self.block.errors.push(SyntaxError {
                range,
                message: format!("`by:` takes a party reference such as `@tass`, not `{value}`"),
            });
        }
    }

    fn comment(&mut self, node: Node<'_>) {
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            if kind_of(child) != Kind::AllowList {
                continue;
            }
            let mut inner = child.walk();
            for code in child.named_children(&mut inner) {
                if kind_of(code) == Kind::RuleCode {
                    let range = self.span(code);
                    self.block.allow.push(ListItem { value: self.slice(&range).into(), range });
                }
            }
        }
    }

    /// Lowers the inline children of the node the cursor stands on; the
    /// cursor ends where it began.
    fn inline_children(&mut self, claim: Option<usize>) {
        if !self.cursor.goto_first_child() {
            return;
        }
        loop {
            let node = self.cursor.node();
            if node.is_named() {
                self.inline(node, claim);
            }
            if !self.cursor.goto_next_sibling() {
                break;
            }
        }
        self.cursor.goto_parent();
    }

    fn reference(&mut self, node: Node<'_>, kind: RefKind, context: RefContext, claim: Option<usize>) {
        let range = self.span(node);
        // A mention token is the sigil and the id: `@putin`.
        let id_range = (range.start + 1).min(range.end)..range.end;
        self.block.references.push(Reference {
            kind,
            id: self.slice(&id_range).into(),
            range,
            context,
            claim: claim.map(|c| c as u32),
        });
    }

    /// `node` is the cursor's node.
    fn inline(&mut self, node: Node<'tree>, claim: Option<usize>) {
        match kind_of(node) {
            Kind::Mention => self.reference(node, RefKind::Party, RefContext::Text, claim),
            Kind::Citation => self.reference(node, RefKind::Source, RefContext::Text, claim),
            Kind::Claim => self.claim(node, claim),
            Kind::LabelledMention | Kind::LabelledCitation => {
                if let Some(target) = node.child_by_field_name(field::TARGET) {
                    let kind = if kind_of(target) == Kind::Mention { RefKind::Party } else { RefKind::Source };
                    self.reference(target, kind, RefContext::Labelled, claim);
                }
            }
            Kind::Link => {
                if let Some(target) = node.child_by_field_name(field::TARGET) {
                    let range = self.span(target);
                    self.block.links.push(Link { url: self.slice(&range).into(), range });
                }
            }
            // Markers and plain prose carry nothing the model keeps.
            _ => {}
        }
    }

    /// `node` is the cursor's node.
    fn claim(&mut self, node: Node<'tree>, parent: Option<usize>) {
        let index = self.block.claims.len();
        let range = self.span(node);
        let open = range.start..(range.start + 1).min(range.end);
        // Pushed first, so claims nested in the body come after it.
        self.block.claims.push(Claim {
            range,
            open: open.clone(),
            close: None,
            body: open.end..open.end,
            attribution: None,
            empty: true,
            parent,
        });
        let (mut body, mut close, mut attribution, mut has_missing) = (None, None, None, false);
        if self.cursor.goto_first_child() {
            loop {
                let child = self.cursor.node();
                let field = self.cursor.field_id();
                if child.is_missing() {
                    has_missing = true;
                } else if field.is_some() && field == IDS.body {
                    body = Some(self.span(child));
                    self.inline_children(Some(index));
                } else if field.is_some() && field == IDS.attribution {
                    attribution = Some(self.span(child));
                    self.attribution(index);
                } else if !child.is_named() && Some(child.kind_id()) == IDS.close_brace {
                    close = Some(self.span(child));
                }
                if !self.cursor.goto_next_sibling() {
                    break;
                }
            }
            self.cursor.goto_parent();
        }
        let body = match (body, &close) {
            (Some(b), _) => b,
            (None, Some(c)) => open.end..c.start,
            (None, None) => open.end..open.end,
        };
        if close.is_none() && !has_missing {
            // The file ended inside the claim.
            self.block.errors.push(SyntaxError {
                range: open.clone(),
                message: "unclosed claim: expected `}` before the end of the file".to_string(),
            });
        }
        let empty = is_blank_text(self.slice(&body));
        let c = &mut self.block.claims[index];
        (c.body, c.close, c.attribution, c.empty) = (body, close, attribution, empty);
    }

    /// The items of the attribution the cursor stands on.
    fn attribution(&mut self, claim: usize) {
        if !self.cursor.goto_first_child() {
            return;
        }
        loop {
            let item = self.cursor.node();
            match kind_of(item) {
                Kind::Mention => self.reference(item, RefKind::Party, RefContext::Attribution, Some(claim)),
                Kind::Citation => self.reference(item, RefKind::Source, RefContext::Attribution, Some(claim)),
                Kind::Status => {
                    let range = self.span(item);
                    let word = self.slice(&(range.start + 1..range.end)).into();
                    self.block.statuses.push(StatusMark { word, range, claim });
                }
                Kind::InvalidItem => {
                    let range = self.span(item);
                    let found = self.slice(&range);
                    self.block.errors.push(SyntaxError {
                        range,
                        message: format!(
                            "`{found}` is not an attribution item: write `@party`, `^source` or `!status`, or escape the parenthesis as `\\(` if it is prose"
                        ),
                    });
                }
                _ => {}
            }
            if !self.cursor.goto_next_sibling() {
                break;
            }
        }
        self.cursor.goto_parent();
    }

    /// Turns every `ERROR` and `MISSING` node under `node` into a message.
    fn collect_errors(&mut self, node: Node<'_>) {
        let mut cursor = node.walk();
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            if n.is_missing() {
                self.missing(n);
                continue;
            }
            if n.is_error() {
                self.unexpected(n);
                continue;
            }
            if n.has_error() {
                // Children pushed in reverse so errors come out in order.
                let children: Vec<_> = n.children(&mut cursor).collect();
                stack.extend(children.into_iter().rev());
            }
        }
        self.block.errors.sort_by_key(|e| (e.range.start, e.range.end));
    }

    fn missing(&mut self, node: Node<'_>) {
        let parent = node.parent();
        let parent_kind = parent.map(kind_of).unwrap_or(Kind::Other);
        let at = self.span(node).start;
        let (range, message) = match (node.kind(), parent_kind) {
            ("}", _) => {
                let open = parent.map(|p| self.span(p).start).unwrap_or(at);
                (open..open + 1, "unclosed claim: expected `}` before the end of the paragraph".to_string())
            }
            ("]", _) => {
                let open = parent.map(|p| self.span(p).start).unwrap_or(at);
                (open..open + 1, "unclosed `[`: expected `]` (write `\\[` for a literal bracket)".to_string())
            }
            (")", Kind::Attribution) => {
                let open = parent.map(|p| self.span(p).start).unwrap_or(at);
                (open..open + 1, "unclosed attribution: expected `)`".to_string())
            }
            (")", _) => (at..at, "expected `)` to close the link target".to_string()),
            ("]:", _) => (at..at, "a definition header is `[@id]: Name`: expected `]:` after the id".to_string()),
            ("---", _) => (at..at, "the front matter is not closed: expected a `---` line".to_string()),
            ("identifier", _) => (at..at, "expected an id: a letter, then letters, digits, `_` or `-`".to_string()),
            (kind, _) => (at..at, format!("expected `{kind}`")),
        };
        self.block.errors.push(SyntaxError { range, message });
    }

    fn unexpected(&mut self, node: Node<'_>) {
        let span = self.span(node);
        let raw = self.slice(&span);
        let lead = raw.len() - raw.trim_start().len();
        let start = span.start + lead;
        let first = raw[lead..].chars().next();
        let parent_kind = node.parent().map(kind_of).unwrap_or(Kind::Other);
        let (range, message) = match first {
            Some(c @ ('}' | ']')) => {
                let open = if c == '}' { '{' } else { '[' };
                (start..start + 1, format!("unmatched `{c}`: no `{open}` opens it (write `\\{c}` for the character itself)"))
            }
            _ if matches!(parent_kind, Kind::PartyDefinition | Kind::SourceDefinition) => (
                start..span.end.max(start),
                "malformed definition: write `[@id]: Name`, then indented `key: value` property lines".to_string(),
            ),
            _ if parent_kind == Kind::FrontMatter => (
                start..span.end.max(start),
                "malformed front matter: each line between the `---` lines is `key: value`".to_string(),
            ),
            Some(_) => {
                let line = raw[lead..].lines().next().unwrap_or("");
                let shown: String = line.chars().take(24).collect();
                let ellipsis = if line.chars().count() > 24 { "…" } else { "" };
                (start..start + line.len(), format!("unexpected `{shown}{ellipsis}`"))
            }
            None => (span.clone(), "unexpected line break".to_string()),
        };
        self.block.errors.push(SyntaxError { range, message });
    }
}

/// The length of `text` without the blank lines at its end (the scanner
/// gives them to the block before them), keeping the last line's newline.
fn content_len(text: &str) -> usize {
    let trimmed = text.trim_end_matches([' ', '\t', '\r', '\n']).len();
    match text[trimmed..].find('\n') {
        Some(i) => trimmed + i + 1,
        None => text.len(),
    }
}

/// Line breaks and runs of white space become one space, as a reader sees
/// it; a quote's `> ` markers on continued lines are not part of the text.
pub fn fold_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let lines = s.split('\n').enumerate().map(|(i, line)| {
        if i > 0 { line.strip_prefix("> ").or_else(|| line.strip_prefix(">\t")).unwrap_or(line) } else { line }
    });
    for word in lines.flat_map(str::split_whitespace) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Whether `fold_whitespace(s)` would be empty, without building it.
fn is_blank_text(s: &str) -> bool {
    s.split('\n').enumerate().all(|(i, line)| {
        let line = if i > 0 { line.strip_prefix("> ").or_else(|| line.strip_prefix(">\t")).unwrap_or(line) } else { line };
        line.trim().is_empty()
    })
}

/// An id: a letter, then letters, digits, `_` or `-`, not ending in `-`.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else { return false };
    first.is_alphabetic()
        && s.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        && !s.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_text_agrees_with_folded_text() {
        for s in ["", " ", "\n", " \n> ", "> x", "x", "\n> \n>\t", "\u{a0}", "a\n> ", " \n\t", ">"] {
            assert_eq!(is_blank_text(s), fold_whitespace(s).is_empty(), "{s:?}");
        }
    }
}
