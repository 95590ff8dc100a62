//! Node kinds and field names of the grammar, in one place.
//!
//! Code matches on [`Kind`] (resolved once from the language's numeric kind
//! ids) instead of comparing strings spread through the crate. A test checks
//! that every name here exists in the compiled grammar, so a rename in
//! `grammar.js` fails loudly instead of silently matching nothing.

use std::sync::LazyLock;

use tree_sitter::Node;

use super::language::language;

macro_rules! kinds {
    ($($variant:ident = $name:literal,)*) => {
        /// A named node kind of the Newsmark grammar.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Kind {
            $($variant,)*
            /// An anonymous token (`{`, `(`, …) or a kind this crate does not name.
            Other,
        }

        impl Kind {
            pub const ALL: &'static [Kind] = &[$(Kind::$variant,)*];

            pub fn name(self) -> &'static str {
                match self {
                    $(Kind::$variant => $name,)*
                    Kind::Other => "",
                }
            }
        }
    };
}

kinds! {
    Document = "document",
    FrontMatter = "front_matter",
    FrontMatterField = "front_matter_field",
    Key = "key",
    Value = "value",
    Heading = "heading",
    HeadingMarker = "heading_marker",
    Paragraph = "paragraph",
    ListItem = "list_item",
    ListMarker = "list_marker",
    BlockQuote = "block_quote",
    QuoteMarker = "quote_marker",
    Comment = "comment",
    CommentText = "comment_text",
    AllowList = "allow_list",
    RuleCode = "rule_code",
    PartyDefinition = "party_definition",
    SourceDefinition = "source_definition",
    Identifier = "identifier",
    Name = "name",
    Property = "property",
    InvalidLine = "invalid_line",
    Note = "note",
    Text = "text",
    Escape = "escape",
    Mention = "mention",
    Citation = "citation",
    Claim = "claim",
    ClaimText = "claim_text",
    Attribution = "attribution",
    Status = "status",
    InvalidItem = "invalid_item",
    Link = "link",
    LabelledMention = "labelled_mention",
    LabelledCitation = "labelled_citation",
    Bracketed = "bracketed",
    Label = "label",
    Url = "url",
    Error = "ERROR",
}

/// Field names used by the analysis.
pub mod field {
    pub const KEY: &str = "key";
    pub const VALUE: &str = "value";
    pub const MARKER: &str = "marker";
    pub const ID: &str = "id";
    pub const NAME: &str = "name";
    pub const BODY: &str = "body";
    pub const ATTRIBUTION: &str = "attribution";
    pub const LABEL: &str = "label";
    pub const TARGET: &str = "target";

    pub const ALL: &[&str] = &[KEY, VALUE, MARKER, ID, NAME, BODY, ATTRIBUTION, LABEL, TARGET];
}

/// Kind ids → `Kind`, indexed by the language's numeric kind id. Aliased
/// nodes have several ids with one name; all of them map to the same kind.
static TABLE: LazyLock<Vec<Kind>> = LazyLock::new(|| {
    let lang = language();
    let count = lang.node_kind_count();
    let mut table = vec![Kind::Other; count];
    for (id, slot) in table.iter_mut().enumerate() {
        let id = id as u16;
        if !lang.node_kind_is_named(id) {
            continue;
        }
        if let Some(name) = lang.node_kind_for_id(id) {
            if let Some(kind) = Kind::ALL.iter().find(|k| k.name() == name) {
                *slot = *kind;
            }
        }
    }
    table
});

/// The kind of a node; `Kind::Other` for anonymous tokens.
pub fn kind_of(node: Node<'_>) -> Kind {
    // One symbol lookup: `is_error` would look the symbol up again, and
    // lowering asks this of every node.
    let id = node.kind_id();
    if id == ERROR_SYMBOL {
        return Kind::Error;
    }
    TABLE.get(id as usize).copied().unwrap_or(Kind::Other)
}

/// tree-sitter's `ts_builtin_sym_error`: the symbol of every `ERROR` node.
const ERROR_SYMBOL: u16 = u16::MAX;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_and_field_exists_in_the_grammar() {
        let lang = language();
        for kind in Kind::ALL {
            if *kind == Kind::Error {
                continue;
            }
            assert_ne!(
                lang.id_for_node_kind(kind.name(), true),
                0,
                "grammar has no named node `{}`",
                kind.name()
            );
        }
        for name in field::ALL {
            assert!(lang.field_id_for_name(name).is_some(), "grammar has no field `{name}`");
        }
    }
}
