//! Analysis: diagnostics and queries over a workspace of documents.
//! Speaks byte offsets and core types only; front ends convert.

pub mod codes;
pub mod config;
mod dates;
pub mod diagnostics;
pub mod queries;
pub mod actions;
pub mod structure;
pub mod scope;
pub mod workspace;

pub use codes::{Code, Level, Severity};
pub use config::{Config, ConfigError};
pub use diagnostics::{Diagnostic, DiagnosticsCache, Related, file_diagnostics, file_diagnostics_cached};
pub use workspace::{FileId, FileSystem, Import, MemoryFs, RealFs, SourceFile, Workspace, normalize};
