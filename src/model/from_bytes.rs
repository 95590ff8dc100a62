//! Lowering without the walk: the marks of a prose block that parsed without
//! errors, read from its bytes.
//!
//! Walking a tree-sitter tree costs about 150 ns a node, most of it stepping
//! through the hidden nodes `repeat` builds; it was two thirds of analysing a
//! document. When a block has no syntax errors, the grammar fixes what its
//! bytes mean, so the marks can be read straight off them: a claim is `{`,
//! text, `}` and an attribution when `(` follows at once; `[label](target)`
//! is a link or a labelled reference; `@id` is a mention unless it continues
//! a word (`press@kremlin.ru`). The tree still decides where blocks begin and
//! end and whether they have errors.
//!
//! Where the grammar consults Unicode tables (is the character before a `@`
//! a letter? does an id go on?) and the text is not ASCII there, or anything
//! else looks unusual, the reader gives up and the block is walked. Debug
//! builds lower every block both ways and compare (`lower::lower_block`).

use super::lower::{invalid_item, is_blank_text};
use super::types::*;

/// Reads the marks of an error-free paragraph or list item whose inline
/// content starts at `from`, into `block`'s (empty) lists. `None` when the
/// reader cannot be sure; the lists are then in any state.
pub(super) fn read_inline(text: &str, from: usize, block: &mut Block) -> Option<()> {
    let mut reader = Reader { text, at: from, reference_end: usize::MAX, nesting: 0, block };
    reader.content(None)
}

/// The bytes that can start or end a mark; everything between is prose.
static SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    let special = b"\\@^{}[]";
    while i < special.len() {
        table[special[i] as usize] = true;
        i += 1;
    }
    table
};

/// The first byte at or after `at` that can start or end a mark.
fn skip_prose(b: &[u8], mut at: usize) -> usize {
    // A word has a zero byte where `x` has one of `@ [ \\ ] ^ { }`: those
    // are 0x40 and 0x5B..=0x5E, and 0x7B, 0x7D fold onto 0x5B, 0x5D when
    // bit 5 is cleared. Clearing it also folds `` ` `` `|` `~` onto them;
    // those false stops are passed over by the table check below.
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(LO) & !v & HI;
    while let Some(chunk) = b.get(at..at + 8) {
        let x = u64::from_le_bytes(chunk.try_into().expect("eight bytes")) & !(0x20 * LO);
        let hit = has_zero(x ^ (0x40 * LO))
            | has_zero(x ^ (0x5B * LO))
            | has_zero(x ^ (0x5C * LO))
            | has_zero(x ^ (0x5D * LO))
            | has_zero(x ^ (0x5E * LO));
        if hit != 0 {
            if let Some(i) = chunk.iter().position(|c| SPECIAL[*c as usize]) {
                return at + i;
            }
        }
        at += 8;
    }
    b[at.min(b.len())..].iter().position(|c| SPECIAL[*c as usize]).map_or(b.len(), |i| at + i)
}

struct Reader<'t, 'b> {
    text: &'t str,
    at: usize,
    /// Where the last reference read ends: a `@` right there starts
    /// another (`@a@b`), although a letter comes before it.
    reference_end: usize,
    /// How many claims the reader stands in.
    nesting: usize,
    block: &'b mut Block,
}

impl<'t> Reader<'t, '_> {
    fn b(&self) -> &'t [u8] {
        self.text.as_bytes()
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.b().get(at).copied()
    }

    /// Inline content up to the end of the text or, inside claim `claim`,
    /// up to its `}` (where it stops).
    fn content(&mut self, claim: Option<usize>) -> Option<()> {
        loop {
            // Prose up to the next byte that matters, eight bytes at a time.
            self.at = skip_prose(self.b(), self.at);
            let Some(c) = self.byte(self.at) else { break };
            match c {
                b'\\' => self.at += backslash_len(self.b(), self.at),
                b'@' | b'^' => self.sigil(c, claim)?,
                b'{' => self.claim(claim)?,
                b'}' => return claim.map(|_| ()),
                b'[' => self.bracket(claim)?,
                // Unmatched: an error, so not in a block read here.
                _ => return None,
            }
        }
        // The end of the block inside a claim: the file ended in it, which
        // the walk reports.
        if claim.is_some() { None } else { Some(()) }
    }

    /// `@` or `^` at `at`: a reference, or prose.
    fn sigil(&mut self, sigil: u8, claim: Option<usize>) -> Option<()> {
        let start = self.at;
        let before = if start == 0 || start == self.reference_end { b' ' } else { self.b()[start - 1] };
        if before >= 0x80 {
            // Whether the character before is a letter needs Unicode.
            return None;
        }
        if before.is_ascii_alphanumeric() {
            // `kremlin.ru@` … the whole run of sigils belongs to the word.
            while matches!(self.byte(self.at), Some(b'@' | b'^')) {
                self.at += 1;
            }
            return Some(());
        }
        match ascii_id_end(self.b(), start + 1)? {
            Some(end) => {
                let kind = if sigil == b'@' { RefKind::Party } else { RefKind::Source };
                self.reference(kind, start..end, RefContext::Text, claim);
                self.at = end;
                self.reference_end = end;
            }
            // A lone sigil is prose.
            None => self.at += 1,
        }
        Some(())
    }

    fn reference(&mut self, kind: RefKind, range: Span, context: RefContext, claim: Option<usize>) {
        self.block.references.push(Reference::new(kind, self.text, range, context, claim));
    }

    /// `{` at `at`: the claim, its text, its `}` and its attribution.
    fn claim(&mut self, parent: Option<usize>) -> Option<()> {
        // The walk stops lowering at this depth; it has the last word.
        if self.nesting >= super::lower::MAX_NESTING {
            return None;
        }
        let index = self.block.claims.len();
        let open = self.at..self.at + 1;
        // Pushed first, so claims nested in the text come after it.
        self.block.claims.push(Claim::opened(open.clone(), parent));
        self.at = open.end;
        self.nesting += 1;
        self.content(Some(index))?;
        self.nesting -= 1;
        let close = self.at..self.at + 1;
        self.at = close.end;
        let body = open.end..close.start;
        let mut attribution = None;
        if self.byte(self.at) == Some(b'(') {
            let end = self.at + 1 + memchr::memchr(b')', &self.b()[self.at + 1..])? + 1;
            let span = self.at..end;
            if !attribution_items(self.text, &span, index, self.block) {
                return None;
            }
            self.at = end;
            attribution = Some(span);
        }
        let empty = is_blank_text(&self.text[body.clone()]);
        let c = &mut self.block.claims[index];
        (c.range, c.close, c.body, c.attribution, c.empty) = (open.start..self.at, Some(close), body, attribution, empty);
        Some(())
    }

    /// `[` at `at`: a link, a labelled reference, or bracketed prose.
    fn bracket(&mut self, claim: Option<usize>) -> Option<()> {
        let open = self.at;
        // The label: prose, escapes and line breaks; nothing nests in it.
        let mut at = open + 1;
        loop {
            at = skip_prose(self.b(), at);
            match self.byte(at)? {
                b'\\' => at += backslash_len(self.b(), at),
                b']' => break,
                b'[' | b'{' | b'}' => return None,
                // `@` and `^` are prose in a label.
                _ => at += 1,
            }
        }
        self.at = at + 1;
        // `[]` is bracketed prose, and a `(` after it is prose too: a link
        // needs a label.
        if at == open + 1 || self.byte(self.at) != Some(b'(') {
            return Some(());
        }
        let target = self.at + 1;
        let end = match self.byte(target)? {
            sigil @ (b'@' | b'^') => {
                let end = ascii_id_end(self.b(), target + 1)??;
                let kind = if sigil == b'@' { RefKind::Party } else { RefKind::Source };
                self.reference(kind, target..end, RefContext::Labelled, claim);
                end
            }
            _ => {
                let end = url_end(self.b(), target)?;
                self.block.links.push(Link { url: self.text[target..end].into(), range: target..end });
                end
            }
        };
        if self.byte(end) != Some(b')') {
            return None;
        }
        self.at = end + 1;
        Some(())
    }
}

/// The end of the id starting at `at`, as the grammar reads one: a letter,
/// then letters, digits, `_` or `-`, not ending in `-`. `Some(None)` when no
/// id starts there; `None` when Unicode decides (a non-ASCII character
/// where the id starts or could go on).
fn ascii_id_end(b: &[u8], at: usize) -> Option<Option<usize>> {
    match b.get(at) {
        Some(c) if c.is_ascii_alphabetic() => {}
        Some(c) if *c >= 0x80 => return None,
        _ => return Some(None),
    }
    let mut end = at + 1;
    while b.get(end).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-') {
        end += 1;
    }
    if b.get(end).is_some_and(|c| *c >= 0x80) {
        return None;
    }
    while b[end - 1] == b'-' {
        end -= 1;
    }
    Some(Some(end))
}

/// How many bytes a `\` at `at` takes: two when it escapes one of the
/// characters the grammar's `escape` names, else one (a literal `\`).
fn backslash_len(b: &[u8], at: usize) -> usize {
    if b.get(at + 1).is_some_and(|e| b"{}[]()@^%\\!".contains(e)) { 2 } else { 1 }
}

/// The end of the URL starting at `at`, as the grammar's `url` reads one:
/// no spaces, and parentheses only in balanced pairs one deep. `None` when
/// no URL starts there, or one ends at a `(` (an error after it).
fn url_end(b: &[u8], mut at: usize) -> Option<usize> {
    let ends = |c: u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'(' | b')');
    if ends(*b.get(at)?) {
        return None;
    }
    at += 1;
    loop {
        match b.get(at).copied() {
            Some(b'(') => {
                let close = at + 1 + b[at + 1..].iter().position(|c| ends(*c))?;
                if b[close] != b')' {
                    return None;
                }
                at = close + 1;
            }
            Some(c) if !ends(c) => at += 1,
            _ => return Some(at),
        }
    }
}

/// The items of an error-free attribution at `span` of `text`, read from
/// its bytes when they are ASCII. False (having added nothing) when they
/// are not, or are not such an attribution.
///
/// Exact because the parse has no errors: the grammar then separates items
/// by `[ \t,]+` or a line break and by nothing else, and an item is one
/// token, a reference only when the reference pattern matches all of it
/// (when it matches only a prefix, the rest cannot follow without a
/// separator, which is an error).
pub(super) fn attribution_items(text: &str, span: &Span, claim: usize, block: &mut Block) -> bool {
    let Some(inner) = text.get(span.clone()).and_then(|t| t.strip_prefix('(')).and_then(|t| t.strip_suffix(')')) else {
        return false;
    };
    if !inner.is_ascii() || memchr::memchr2(b'(', b')', inner.as_bytes()).is_some() {
        return false;
    }
    let base = span.start + 1;
    let is_separator = |b: u8| matches!(b, b' ' | b'\t' | b',' | b'\r' | b'\n');
    let bytes = inner.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if is_separator(bytes[at]) {
            at += 1;
            continue;
        }
        let end = bytes[at..].iter().position(|b| is_separator(*b)).map_or(bytes.len(), |n| at + n);
        let (item, range) = (&inner[at..end], base + at..base + end);
        // A reference or status only when the id pattern takes the whole
        // item (the items are ASCII, so Unicode never decides here).
        let kind = match bytes[at] {
            b'@' | b'^' | b'!' if ascii_id_end(bytes, at + 1) == Some(Some(end)) => bytes[at],
            _ => 0,
        };
        let reference = |kind| Reference::new(kind, text, range.clone(), RefContext::Attribution, Some(claim));
        match kind {
            b'@' => block.references.push(reference(RefKind::Party)),
            b'^' => block.references.push(reference(RefKind::Source)),
            b'!' => block.statuses.push(StatusMark { word: item[1..].into(), range, claim }),
            _ => block.errors.push(invalid_item(item, range)),
        }
        at = end;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipping_prose_stops_where_a_byte_scan_does() {
        // Every byte value, at every offset of a word and in the tail, with
        // the false stops (`` ` `` `|` `~`) before it.
        for value in 0..=255u8 {
            for at in 0..20 {
                let mut text = vec![b'a'; 20];
                text[3] = b'|';
                text[at] = value;
                for from in [0, 1, 5, 13] {
                    let expected = (from..text.len()).find(|&i| SPECIAL[text[i] as usize]).unwrap_or(text.len());
                    assert_eq!(skip_prose(&text, from), expected, "value {value:#x} at {at}, from {from}");
                }
            }
        }
    }
}
