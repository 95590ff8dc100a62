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
    // By id, not by name: finding a field by name compares strings.
    target: u16,
    marker: u16,
    /// The `}` token's kind id.
    close_brace: Option<u16>,
}

static IDS: LazyLock<Ids> = LazyLock::new(|| {
    let lang = language();
    Ids {
        body: lang.field_id_for_name(field::BODY),
        attribution: lang.field_id_for_name(field::ATTRIBUTION),
        target: lang.field_id_for_name(field::TARGET).map_or(0, |f| f.get()),
        marker: lang.field_id_for_name(field::MARKER).map_or(0, |f| f.get()),
        close_brace: Some(lang.id_for_node_kind("}", false)).filter(|id| *id != 0),
    }
});

/// Vectors a block's items are gathered in, reused from block to block:
/// each block then gets its own copy at its exact size, one allocation per
/// kind of item it has, instead of a vector grown by doubling and shrunk.
#[derive(Default)]
pub(crate) struct Scratch<'tree> {
    /// One cursor for all the blocks of a tree, reset to each.
    cursor: Option<TreeCursor<'tree>>,
    claims: Vec<Claim>,
    references: Vec<Reference>,
    statuses: Vec<StatusMark>,
    links: Vec<Link>,
}

pub(crate) fn lower_block<'tree>(node: Node<'tree>, text: &str, scratch: &mut Scratch<'tree>) -> Block {
    let block = lower_block_with(node, text, scratch, true);
    // The shortcuts read bytes where the tree would be walked; they must
    // give exactly what the walk gives. Debug builds (every test) check.
    #[cfg(debug_assertions)]
    {
        let walked = lower_block_with(node, text, scratch, false);
        assert_eq!(block, walked, "lowering shortcuts disagree with the tree walk on {text:?}");
    }
    block
}

/// Lowers every block of `text` with and without the byte shortcuts, and
/// describes the first block where the two differ. For tests, which also
/// run in release builds, where `lower_block` does not compare.
#[doc(hidden)]
pub fn shortcut_disagreement(text: &str) -> Option<String> {
    let doc = crate::syntax::Document::new(text);
    (0..doc.segment_count()).find_map(|i| {
        let range = doc.segment_range(i);
        let segment = &text[range];
        doc.with_segment_tree(i, |tree| {
            let mut scratch = Scratch::default();
            let mut cursor = tree.root_node().walk();
            let blocks: Vec<Node<'_>> = tree.root_node().named_children(&mut cursor).collect();
            blocks.into_iter().find_map(|node| {
                let block_text = segment.get(node.start_byte()..node.end_byte())?;
                let read = lower_block_with(node, block_text, &mut scratch, true);
                let walked = lower_block_with(node, block_text, &mut scratch, false);
                (read != walked).then(|| format!("{block_text:?}\n  read:   {read:?}\n  walked: {walked:?}"))
            })
        })
    })
}

fn lower_block_with<'tree>(node: Node<'tree>, text: &str, scratch: &mut Scratch<'tree>, shortcuts: bool) -> Block {
    let mut block = Block::new(BlockKind::Error, text.len());
    block.claims = std::mem::take(&mut scratch.claims);
    block.references = std::mem::take(&mut scratch.references);
    block.statuses = std::mem::take(&mut scratch.statuses);
    block.links = std::mem::take(&mut scratch.links);
    let cursor = match scratch.cursor.take() {
        Some(mut cursor) => {
            cursor.reset(node);
            cursor
        }
        None => node.walk(),
    };
    let mut lowerer = Lowerer { base: node.start_byte(), text, block, cursor, shortcuts, nesting: 0 };
    lowerer.block.content_len = content_len(text);
    lowerer.block(node);
    if node.has_error() {
        lowerer.collect_errors(node);
    }
    scratch.cursor = Some(lowerer.cursor);
    let mut block = lowerer.block;
    // Blocks live as long as their text is unchanged: exact sizes. The
    // gathering vectors go back to the scratch with their capacity.
    fn exact<T>(kept: &mut Vec<T>, scratch: &mut Vec<T>) {
        *scratch = std::mem::take(kept);
        *kept = scratch.drain(..).collect();
    }
    exact(&mut block.claims, &mut scratch.claims);
    exact(&mut block.references, &mut scratch.references);
    exact(&mut block.statuses, &mut scratch.statuses);
    exact(&mut block.links, &mut scratch.links);
    block
}

struct Lowerer<'t, 'tree> {
    base: usize,
    text: &'t str,
    block: Block,
    /// One cursor for the whole block: the inline walk moves it down and
    /// back up, so lowering allocates no cursor per node.
    cursor: TreeCursor<'tree>,
    /// Whether to read error-free claims from their bytes rather than walk
    /// their nodes (off only to check the shortcuts against the walk).
    shortcuts: bool,
    /// How many claims the walk stands in.
    nesting: usize,
}

/// Claims nested deeper than this are not lowered. Nesting is already an
/// error (`nested-claim`) from the second level; only hostile text nests
/// this deep, and walking it all would overflow the stack.
pub(super) const MAX_NESTING: usize = 64;

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
                    .child_by_field_id(IDS.marker)
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
            Kind::Paragraph | Kind::ListItem if self.shortcuts && !node.has_error() => {
                // The inline content starts after a list item's `-` marker.
                let from = match kind {
                    Kind::ListItem => 1 + self.text[1..].bytes().take_while(|b| matches!(b, b' ' | b'\t')).count(),
                    _ => 0,
                };
                if super::from_bytes::read_inline(self.text, from, &mut self.block).is_none() {
                    let b = &mut self.block;
                    (b.claims.clear(), b.references.clear(), b.statuses.clear(), b.links.clear(), b.errors.clear());
                    self.inline_children(None);
                }
            }
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

    /// The text of claim `index`, which the cursor stands on.
    fn claim_body(&mut self, index: usize) {
        if self.nesting < MAX_NESTING {
            self.nesting += 1;
            self.inline_children(Some(index));
            self.nesting -= 1;
        }
    }

    /// Lowers the inline children of the node the cursor stands on; the
    /// cursor ends where it began.
    fn inline_children(&mut self, claim: Option<usize>) {
        if !self.cursor.goto_first_child() {
            return;
        }
        loop {
            // Anonymous tokens (`{`, `(`…) are `Kind::Other`: `inline`
            // passes over them without asking whether they are named.
            let node = self.cursor.node();
            self.inline(node, claim);
            if !self.cursor.goto_next_sibling() {
                break;
            }
        }
        self.cursor.goto_parent();
    }

    fn reference(&mut self, node: Node<'_>, kind: RefKind, context: RefContext, claim: Option<usize>) {
        let range = self.span(node);
        self.push_reference(kind, range, context, claim);
    }

    fn push_reference(&mut self, kind: RefKind, range: Span, context: RefContext, claim: Option<usize>) {
        self.block.references.push(Reference::new(kind, self.text, range, context, claim));
    }

    /// `node` is the cursor's node.
    fn inline(&mut self, node: Node<'tree>, claim: Option<usize>) {
        match kind_of(node) {
            Kind::Mention => self.reference(node, RefKind::Party, RefContext::Text, claim),
            Kind::Citation => self.reference(node, RefKind::Source, RefContext::Text, claim),
            Kind::Claim => self.claim(node, claim),
            Kind::LabelledMention | Kind::LabelledCitation => {
                if let Some(target) = node.child_by_field_id(IDS.target) {
                    let kind = if kind_of(target) == Kind::Mention { RefKind::Party } else { RefKind::Source };
                    self.reference(target, kind, RefContext::Labelled, claim);
                }
            }
            Kind::Link => {
                if let Some(target) = node.child_by_field_id(IDS.target) {
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
        let range = self.span(node);
        // Not at the end of the block: then the claim is closed by a `}`
        // (an unclosed one can end only at the end of the file).
        if self.shortcuts && range.end < self.text.len() && !node.has_error() {
            return self.claim_without_errors(range, parent);
        }
        let index = self.block.claims.len();
        let open = range.start..(range.start + 1).min(range.end);
        // Pushed first, so claims nested in the body come after it.
        self.block.claims.push(Claim { range, ..Claim::opened(open.clone(), parent) });
        let (mut body, mut close, mut attribution, mut has_missing) = (None, None, None, false);
        if self.cursor.goto_first_child() {
            loop {
                let child = self.cursor.node();
                let field = self.cursor.field_id();
                if child.is_missing() {
                    has_missing = true;
                } else if field.is_some() && field == IDS.body {
                    let span = self.span(child);
                    // Only these bytes start a mark inside a claim's text
                    // (a reference, a nested claim, a link); plain text,
                    // the usual case, need not be walked node by node.
                    if !self.shortcuts || may_hold_marks(self.slice(&span)) {
                        self.claim_body(index);
                    }
                    body = Some(span);
                } else if field.is_some() && field == IDS.attribution {
                    attribution = Some(self.span(child));
                    self.attribution(index);
                } else if Some(child.kind_id()) == IDS.close_brace {
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

    /// A closed claim without syntax errors, at `range` (the cursor's node).
    /// Its parts are found from its bytes, which the grammar then fixes:
    /// `{`, the text, `}`, and an attribution exactly when the claim ends
    /// with `)`; the attribution holds no `(` but its first. Only a text
    /// with marks in it is walked.
    fn claim_without_errors(&mut self, range: Span, parent: Option<usize>) {
        let index = self.block.claims.len();
        let text = self.slice(&range);
        let attribution = text.strip_suffix(')').and_then(|t| t.rfind('(')).map(|at| range.start + at..range.end);
        let close_end = attribution.as_ref().map_or(range.end, |a| a.start);
        let (open, close) = (range.start..range.start + 1, close_end - 1..close_end);
        let body = open.end..close.start;
        self.block.claims.push(Claim {
            range,
            open,
            close: Some(close),
            body: body.clone(),
            attribution: attribution.clone(),
            empty: is_blank_text(self.slice(&body)),
            parent,
        });
        // In document order: the text's marks, then the attribution's.
        let walk_body = may_hold_marks(self.slice(&body));
        let read = |this: &mut Self| match &attribution {
            Some(a) => super::from_bytes::attribution_items(this.text, a, index, &mut this.block),
            None => true,
        };
        if !walk_body && read(self) {
            return;
        }
        if !self.cursor.goto_first_child() {
            return;
        }
        loop {
            let field = self.cursor.field_id();
            if walk_body && field.is_some() && field == IDS.body {
                self.claim_body(index);
            } else if field.is_some() && field == IDS.attribution && (!walk_body || !read(self)) {
                self.attribution(index);
            }
            if !self.cursor.goto_next_sibling() {
                break;
            }
        }
        self.cursor.goto_parent();
    }

    fn invalid_item(&mut self, range: Span) {
        let error = invalid_item(self.slice(&range), range);
        self.block.errors.push(error);
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
                    self.invalid_item(range);
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

/// Whether a claim's text may hold a reference, a claim or a link: only
/// these bytes start one. Plain text, the usual case, need not be walked.
fn may_hold_marks(text: &str) -> bool {
    memchr::memchr3(b'@', b'^', b'{', text.as_bytes()).is_some() || memchr::memchr(b'[', text.as_bytes()).is_some()
}

/// The error for an attribution item that is not one.
pub(super) fn invalid_item(found: &str, range: Span) -> SyntaxError {
    SyntaxError {
        range,
        message: format!(
            "`{found}` is not an attribution item: write `@party`, `^source` or `!status`, or escape the parenthesis as `\\(` if it is prose"
        ),
    }
}

/// Whether `fold_whitespace(s)` would be empty, without building it.
pub(super) fn is_blank_text(s: &str) -> bool {
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
