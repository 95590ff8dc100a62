//! `newsmark`: one binary, two front ends over one analysis core.

mod cli;
mod lsp;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "newsmark", version, about = "Newsmark: check annotated news articles, or serve them to an editor")]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check .nmk files and directories, for CI.
    Check(cli::CheckArgs),
    /// Serve the Language Server Protocol over stdio, for editors.
    Lsp {
        /// Accepted and ignored: stdio is the only transport, but clients
        /// such as vscode-languageclient pass it.
        #[arg(long, hide = true)]
        stdio: bool,
    },
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match args.command {
        Command::Check(check) => cli::run(check),
        Command::Lsp { .. } => lsp::run(),
    }
}
