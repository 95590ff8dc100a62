//! `newsmark.toml`: rule levels, extra statuses, files to include and exclude.
//!
//! ```toml
//! statuses = ["retracted"]
//!
//! [rules]
//! unsourced-claim = "error"
//! unused-definition = "off"
//!
//! [files]
//! include = ["articles/**/*.nmk"]
//! exclude = ["drafts/**"]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::codes::{Code, Level};

pub const CONFIG_FILE: &str = "newsmark.toml";

pub const STATUSES: &[&str] = &["unverified", "verified", "disputed", "false", "misleading"];

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// Where it was read from; `None` for the defaults.
    pub path: Option<PathBuf>,
    pub rules: BTreeMap<Code, Level>,
    pub statuses: Vec<String>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    rules: BTreeMap<String, String>,
    #[serde(default)]
    statuses: Vec<String>,
    #[serde(default)]
    files: RawFiles,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFiles {
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
}

/// A config that could not be read: the file, and where in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based line and column, when the error has a place.
    pub line_col: Option<(usize, usize)>,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line_col {
            Some((l, c)) => write!(f, "{}:{l}:{c}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl Config {
    /// Parses a `newsmark.toml` read from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let error = |range: Option<std::ops::Range<usize>>, message: String| ConfigError {
            path: path.to_path_buf(),
            line_col: range.map(|r| line_col(text, r.start)),
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| error(e.span(), e.message().to_string()))?;
        let mut config = Config { path: Some(path.to_path_buf()), ..Config::default() };
        for (name, level) in raw.rules {
            let code = Code::from_name(&name).ok_or_else(|| {
                error(find(text, &name), format!("unknown diagnostic code `{name}` in [rules]"))
            })?;
            let level = level
                .parse::<Level>()
                .map_err(|m| error(find(text, &level), format!("{m} (for `{name}`)")))?;
            config.rules.insert(code, level);
        }
        for status in &raw.statuses {
            if !crate::model::is_identifier(status) {
                return Err(error(find(text, status), format!("`{status}` is not a valid status word")));
            }
        }
        config.statuses = raw.statuses;
        config.include = raw.files.include;
        config.exclude = raw.files.exclude;
        Ok(config)
    }

    /// The level of `code`: configured, else its default severity.
    pub fn level(&self, code: Code) -> Level {
        self.rules.get(&code).copied().unwrap_or(Level::On(code.default_severity()))
    }

    /// `overrides` wins over `self` rule by rule (editor settings over the file).
    pub fn with_overrides(&self, overrides: &BTreeMap<Code, Level>) -> Config {
        let mut config = self.clone();
        config.rules.extend(overrides.iter().map(|(c, l)| (*c, *l)));
        config
    }

    pub fn is_status(&self, word: &str) -> bool {
        STATUSES.contains(&word) || self.statuses.iter().any(|s| s == word)
    }

    pub fn all_statuses(&self) -> impl Iterator<Item = &str> {
        STATUSES.iter().copied().chain(self.statuses.iter().map(String::as_str))
    }
}

/// Finds the config that applies to `dir`: the nearest `newsmark.toml` in it
/// or a parent directory.
pub fn find_config_file(dir: &Path, exists: impl Fn(&Path) -> bool) -> Option<PathBuf> {
    dir.ancestors().map(|d| d.join(CONFIG_FILE)).find(|p| exists(p))
}

fn find(text: &str, needle: &str) -> Option<std::ops::Range<usize>> {
    text.find(needle).map(|i| i..i + needle.len())
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::codes::Severity;

    #[test]
    fn parses_rules_statuses_and_files() {
        let text = "statuses = [\"retracted\"]\n[rules]\nunsourced-claim = \"error\"\nunused-definition = \"off\"\n[files]\nexclude = [\"drafts/**\"]\n";
        let c = Config::parse(Path::new("newsmark.toml"), text).unwrap();
        assert_eq!(c.level(Code::UnsourcedClaim), Level::On(Severity::Error));
        assert_eq!(c.level(Code::UnusedDefinition), Level::Off);
        assert_eq!(c.level(Code::Syntax), Level::On(Severity::Error));
        assert!(c.is_status("retracted") && c.is_status("verified") && !c.is_status("nope"));
        assert_eq!(c.exclude, vec!["drafts/**".to_string()]);
    }

    #[test]
    fn errors_name_the_place() {
        let e = Config::parse(Path::new("n.toml"), "[rules]\nunsourced-claims = \"error\"\n").unwrap_err();
        assert_eq!(e.to_string(), "n.toml:2:1: unknown diagnostic code `unsourced-claims` in [rules]");
        let e = Config::parse(Path::new("n.toml"), "[rules]\nsyntax = \"loud\"\n").unwrap_err();
        assert_eq!(e.line_col, Some((2, 11)));
        assert!(e.message.contains("unknown level `loud`"), "{}", e.message);
        let e = Config::parse(Path::new("n.toml"), "[rulez]\n").unwrap_err();
        assert!(e.message.contains("unknown field `rulez`"), "{}", e.message);
        assert_eq!(e.line_col.map(|l| l.0), Some(1));
    }
}
