//! What a document says, in byte ranges.
//!
//! Every range inside a [`Block`] is relative to the block's start, so a
//! block that tree-sitter reused after an edit elsewhere can be reused here
//! too, unchanged, wherever it moved. [`super::BlockRef`] makes them absolute.

use std::ops::Range;

pub type Span = Range<usize>;

/// A party or source id as references hold it: ids are short, so it is
/// stored inline, and lowering a reference allocates nothing.
pub type Id = smol_str::SmolStr;

/// What a reference points at: a party (`@id`) or a source (`^id`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RefKind {
    Party,
    Source,
}

impl RefKind {
    pub fn sigil(self) -> char {
        match self {
            RefKind::Party => '@',
            RefKind::Source => '^',
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            RefKind::Party => "party",
            RefKind::Source => "source",
        }
    }
}

/// Where a reference stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefContext {
    /// In prose: `@putin`, `^tass`.
    Text,
    /// In a claim's attribution: `{…}(@putin ^tass)`.
    Attribution,
    /// As the target of a labelled mention or citation: `[Putin](@putin)`.
    Labelled,
    /// As a source's `by:` property value.
    ByProperty,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub kind: RefKind,
    pub id: Id,
    /// The whole reference, sigil included: `@putin`.
    pub range: Span,
    pub context: RefContext,
    /// The innermost claim (index into the block's claims) it stands in.
    pub claim: Option<u32>,
}

impl Reference {
    /// The reference at `range` of `text` (the block's), a sigil then the
    /// id: every form of reference is written so.
    pub(crate) fn new(kind: RefKind, text: &str, range: Span, context: RefContext, claim: Option<usize>) -> Reference {
        let id_range = (range.start + 1).min(range.end)..range.end;
        Reference { kind, id: text.get(id_range).unwrap_or("").into(), range, context, claim: claim.map(|c| c as u32) }
    }

    /// Just the id: `putin` (every form of reference is a sigil and the id).
    pub fn id_range(&self) -> Span {
        (self.range.start + 1).min(self.range.end)..self.range.end
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusMark {
    pub word: Box<str>,
    /// `!word`, sigil included.
    pub range: Span,
    pub claim: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    /// From `{` to `}`, or to the attribution's `)` when there is one.
    pub range: Span,
    /// The `{`.
    pub open: Span,
    /// The `}`; `None` when the claim is unclosed.
    pub close: Option<Span>,
    /// Between the braces.
    pub body: Span,
    /// The attribution `( … )`, parentheses included.
    pub attribution: Option<Span>,
    /// Whether the body holds no text (an `empty-claim`). The text itself
    /// is read from the document when needed ([`super::claim_text`]).
    pub empty: bool,
    /// The claim this one is nested in (a `nested-claim` error).
    pub parent: Option<usize>,
}

impl Claim {
    /// A claim as lowering first records it, at its `{`: the rest is filled
    /// in once its text and attribution have been read.
    pub(crate) fn opened(open: Span, parent: Option<usize>) -> Claim {
        Claim {
            range: open.clone(),
            open: open.clone(),
            close: None,
            body: open.end..open.end,
            attribution: None,
            empty: true,
            parent,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Property {
    pub key: Box<str>,
    pub key_range: Span,
    pub value: String,
    /// Empty (at the end of the key's colon) when the value is missing.
    pub value_range: Span,
    /// The whole line, indentation excluded.
    pub range: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Definition {
    pub kind: RefKind,
    pub id: Box<str>,
    pub id_range: Span,
    /// The display name (parties) or title (sources); may be empty.
    pub name: String,
    pub name_range: Option<Span>,
    /// `[@id]: Name` — the header line without its newline.
    pub header: Span,
    pub properties: Vec<Property>,
}

impl Definition {
    pub fn property(&self, key: &str) -> Option<&Property> {
        self.properties.iter().find(|p| &*p.key == key)
    }

    pub fn property_value(&self, key: &str) -> Option<&str> {
        self.property(key).map(|p| p.value.as_str()).filter(|v| !v.is_empty())
    }
}

/// A `key: value` line of the front matter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub key: Box<str>,
    pub key_range: Span,
    pub value: String,
    pub value_range: Span,
}

/// One item of a comma-separated list (a `use:` path, an `allow:` code).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListItem {
    pub value: Box<str>,
    pub range: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub url: Box<str>,
    pub range: Span,
}

/// Where the text does not fit the grammar, said in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub range: Span,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    FrontMatter,
    Heading(u8),
    Paragraph,
    Quote,
    ListItem,
    Comment,
    PartyDefinition,
    SourceDefinition,
    /// Text the parser could not place in any block.
    Error,
}

/// One top-level block, lowered. Ranges are relative to the block's start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    /// The whole block, with the blank lines that follow it.
    pub len: usize,
    /// The block's own lines, up to and including its last newline.
    pub content_len: usize,
    /// Heading text, for the outline.
    pub heading: Option<String>,
    /// Boxed: most blocks are prose.
    pub definition: Option<Box<Definition>>,
    pub front_matter: Vec<Field>,
    pub claims: Vec<Claim>,
    pub references: Vec<Reference>,
    pub statuses: Vec<StatusMark>,
    pub links: Vec<Link>,
    /// Codes named by a `%% allow:` comment: they silence the next block.
    pub allow: Vec<ListItem>,
    pub errors: Vec<SyntaxError>,
}

impl Block {
    pub(crate) fn new(kind: BlockKind, len: usize) -> Block {
        Block {
            kind,
            len,
            content_len: len,
            heading: None,
            definition: None,
            front_matter: Vec::new(),
            claims: Vec::new(),
            references: Vec::new(),
            statuses: Vec::new(),
            links: Vec::new(),
            allow: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// References standing in claim `claim` (its text or its attribution),
    /// including those of claims nested in it.
    pub fn claim_references(&self, claim: usize) -> impl Iterator<Item = &Reference> {
        self.references
            .iter()
            .filter(move |r| r.claim.is_some_and(|c| self.is_within(c as usize, claim)))
    }

    pub fn claim_statuses(&self, claim: usize) -> impl Iterator<Item = &StatusMark> {
        self.statuses.iter().filter(move |s| s.claim == claim)
    }

    /// Whether claim `inner` is `outer` or nested in it.
    fn is_within(&self, inner: usize, outer: usize) -> bool {
        let mut at = Some(inner);
        while let Some(c) = at {
            if c == outer {
                return true;
            }
            at = self.claims[c].parent;
        }
        false
    }
}
