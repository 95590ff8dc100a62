import * as vscode from 'vscode';
import {
  LanguageClient,
  type LanguageClientOptions,
  RevealOutputChannelOn,
  type ServerOptions,
  State,
} from 'vscode-languageclient/node';
import { probeFailureMessage, probeServer } from './server';

const CLIENT_ID = 'newsmark';
const CLIENT_NAME = 'Newsmark Language Server';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;
let traceOutput: vscode.OutputChannel | undefined;
/** Serialises start/stop so a restart never races a start. */
let queue: Promise<void> = Promise.resolve();

function firstWorkspaceFolder(): string | undefined {
  const f = vscode.workspace.workspaceFolders?.find((w) => w.uri.scheme === 'file');
  return f?.uri.fsPath;
}

function log(line: string): void {
  output?.appendLine(`[${new Date().toISOString()}] ${line}`);
}

async function showError(message: string): Promise<void> {
  log(message);
  const openSettings = 'Open Settings';
  const showOutput = 'Show Output';
  const retry = 'Retry';
  const pick = await vscode.window.showErrorMessage(message, openSettings, showOutput, retry);
  if (pick === openSettings) {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'newsmark.server.path');
  } else if (pick === showOutput) {
    output?.show(true);
  } else if (pick === retry) {
    await restart();
  }
}

async function startClient(): Promise<void> {
  const config = vscode.workspace.getConfiguration('newsmark');
  const setting = config.get<string>('server.path', 'newsmark');
  const workspaceFolder = firstWorkspaceFolder();

  const probe = await probeServer(setting, { workspaceFolder });
  if (!probe.ok) {
    // Never fail silently: a missing binary is the most common first-run problem.
    void showError(probeFailureMessage(probe));
    return;
  }
  log(`starting ${probe.path} lsp (${probe.version})`);

  const serverOptions: ServerOptions = {
    command: probe.path,
    // No `transport`: with TransportKind.stdio the client appends `--stdio`
    // to the arguments, which `newsmark lsp` does not take. Stdio is the default.
    args: ['lsp'],
    options: { cwd: workspaceFolder },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'newsmark' },
      { scheme: 'untitled', language: 'newsmark' },
    ],
    // `workspace/configuration` for section `newsmark` is answered from the
    // settings; this also sends `workspace/didChangeConfiguration` on change.
    synchronize: { configurationSection: 'newsmark' },
    outputChannel: output,
    traceOutputChannel: traceOutput,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationFailedHandler: (error) => {
      void showError(`Newsmark: the language server failed to initialise: ${String(error)}`);
      return false;
    },
  };

  const c = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  c.onDidChangeState((e) => {
    if (e.newState === State.Stopped && client === c) log('language server stopped');
  });
  client = c;
  try {
    await c.start();
    log('language server running');
  } catch (e) {
    client = undefined;
    void showError(`Newsmark: the language server could not be started (${probe.path} lsp): ${String(e)}`);
  }
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    try {
      await c.stop(5000);
    } catch (e) {
      log(`stopping the language server: ${String(e)}`);
    }
  }
}

function enqueue(job: () => Promise<void>): Promise<void> {
  queue = queue.then(job, job);
  return queue;
}

export function restart(): Promise<void> {
  return enqueue(async () => {
    await stopClient();
    await startClient();
  });
}

/** How long `newsmark.server.path` must stay unchanged before a restart. */
const PATH_CHANGE_SETTLE_MS = 500;
let pathChange: ReturnType<typeof setTimeout> | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel(CLIENT_NAME);
  traceOutput = vscode.window.createOutputChannel(`${CLIENT_NAME} Trace`);
  context.subscriptions.push(output, traceOutput);

  context.subscriptions.push(
    vscode.commands.registerCommand('newsmark.restartServer', async () => {
      log('restart requested');
      await restart();
      if (client?.isRunning()) void vscode.window.setStatusBarMessage('Newsmark: language server restarted', 3000);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('newsmark.server.path')) return;
      // One restart for a burst of changes: typing a path in the settings
      // editor changes it on every keystroke, and a settings file replaced
      // on disk can read as deleted, then written. The path is read when
      // the restart runs, so the last value wins.
      if (pathChange) clearTimeout(pathChange);
      pathChange = setTimeout(() => {
        pathChange = undefined;
        log('newsmark.server.path changed; restarting');
        void restart();
      }, PATH_CHANGE_SETTLE_MS);
    }),
    { dispose: () => pathChange && clearTimeout(pathChange) },
  );

  await enqueue(startClient);
}

export function deactivate(): Promise<void> | undefined {
  return enqueue(stopClient);
}
