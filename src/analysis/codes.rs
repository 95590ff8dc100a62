//! Diagnostic codes: the one table the editor, the CLI and the docs share.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Hint,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A configured level: a severity, or `off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

impl FromStr for Level {
    type Err = String;

    fn from_str(s: &str) -> Result<Level, String> {
        Ok(match s {
            "off" => Level::Off,
            "error" => Level::On(Severity::Error),
            "warning" => Level::On(Severity::Warning),
            "info" => Level::On(Severity::Info),
            "hint" => Level::On(Severity::Hint),
            _ => return Err(format!("unknown level `{s}`: expected error, warning, info, hint or off")),
        })
    }
}

macro_rules! codes {
    ($($variant:ident = $name:literal, $severity:ident, $summary:literal, $help:literal;)*) => {
        /// A diagnostic code. Names are stable: configs and `allow:` lists use them.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// One line: what the code means.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }

            /// How to fix it, for SARIF rule help and `--explain`-style docs.
            pub fn help(self) -> &'static str {
                match self { $(Code::$variant => $help,)* }
            }
        }
    };
}

codes! {
    Syntax = "syntax", Error,
        "The text does not parse.",
        "Close what is open (`}`, `]`, `)`), or escape a literal character with `\\`.";
    UnsourcedClaim = "unsourced-claim", Warning,
        "A claim has no source.",
        "Add a citation to the claim's attribution, `{…}(@party ^source)`, or cite a source in its text.";
    UndefinedParty = "undefined-party", Error,
        "A mention names a party that is not defined.",
        "Define the party with `[@id]: Name` in this file or in a cast file imported with `use:`.";
    UndefinedSource = "undefined-source", Error,
        "A citation names a source that is not defined.",
        "Define the source with `[^id]: Title` in this file or in a cast file imported with `use:`.";
    DuplicateDefinition = "duplicate-definition", Error,
        "The same id is defined twice among a document and its imports.",
        "Remove one definition, or rename one of the ids.";
    UnusedDefinition = "unused-definition", Hint,
        "A definition nothing refers to.",
        "Refer to it with `@id` or `^id`, or remove the definition.";
    UnknownStatus = "unknown-status", Warning,
        "A claim status that is not in the status list.",
        "Use unverified, verified, disputed, false or misleading, or add the status to `statuses` in newsmark.toml.";
    NestedClaim = "nested-claim", Error,
        "A claim inside another claim.",
        "Close the outer claim before opening the next one; claims cannot hold claims.";
    EmptyClaim = "empty-claim", Warning,
        "A claim with no text.",
        "Write the claim's text between the braces, or remove them.";
    InvalidDate = "invalid-date", Warning,
        "A date that is not an ISO 8601 date.",
        "Write dates as YYYY-MM-DD (or YYYY-MM, YYYY, or a full ISO 8601 date-time).";
    ImportNotFound = "import-not-found", Error,
        "A `use:` path that does not exist.",
        "Fix the path; it is relative to the importing file.";
    ImportCycle = "import-cycle", Warning,
        "Documents that import each other.",
        "Move the shared definitions into one cast file that both import.";
    AnonymousSource = "anonymous-source", Warning,
        "An anonymous source without a reason for its anonymity.",
        "Add `reason:` to the source, saying why anonymity was granted.";
    UnknownProperty = "unknown-property", Warning,
        "A property, front-matter key or property value the language does not name.",
        "Check the spelling against the language reference.";
    UnknownRule = "unknown-rule", Warning,
        "An `allow:` list names a code that does not exist.",
        "Check the code's spelling against the list of diagnostic codes.";
}

impl Code {
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.name() == name)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
