//! `newsmark check`: files in, diagnostics out, exit 0/1/2.

mod collect;
mod output;
mod sarif;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use newsmark::analysis::Severity;

pub use collect::check;

#[derive(Args)]
pub struct CheckArgs {
    /// Files or directories to check (`-` reads standard input). Directories
    /// are searched for *.nmk files, honouring .gitignore.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// The lowest severity that makes the command fail (exit 1).
    #[arg(long, value_enum, default_value_t = FailLevel::Error)]
    pub fail_level: FailLevel,
    /// The name (and place, for imports and newsmark.toml) of the text read
    /// from standard input.
    #[arg(long)]
    pub stdin_path: Option<PathBuf>,
    /// When to use colour in human output.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Human,
    Compact,
    Json,
    Github,
    Sarif,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FailLevel {
    Error,
    Warning,
    Info,
    Hint,
    Never,
}

impl FailLevel {
    fn fails(self, s: Severity) -> bool {
        match self {
            FailLevel::Error => s >= Severity::Error,
            FailLevel::Warning => s >= Severity::Warning,
            FailLevel::Info => s >= Severity::Info,
            FailLevel::Hint => true,
            FailLevel::Never => false,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

pub fn run(args: CheckArgs) -> ExitCode {
    match check(&args) {
        Ok(code) => ExitCode::from(code),
        // A closed pipe (`newsmark check | head`) is the reader's choice.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(io::stderr(), "newsmark: error: {e}");
            ExitCode::from(2)
        }
    }
}
