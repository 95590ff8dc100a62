// Locating and probing the `newsmark` executable. No `vscode` import here, so
// this module is unit-tested under plain Node (test/unit/).

import { spawn } from 'node:child_process';
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The command users run to install the server from a Newsmark checkout. */
export const INSTALL_COMMAND = 'cargo install --path .';

export interface ResolveOptions {
  /** The first workspace folder, for relative paths and `${workspaceFolder}`. */
  workspaceFolder?: string;
  /** Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Defaults to `process.platform`. */
  platform?: NodeJS.Platform;
}

/** Expands `~` and `${workspaceFolder}`, and resolves a relative path. */
export function expandServerPath(setting: string, opts: ResolveOptions = {}): string {
  let p = setting.trim();
  if (p === '') p = 'newsmark';
  const ws = opts.workspaceFolder;
  if (ws) p = p.replace(/\$\{workspaceFolder\}/g, ws);
  if (p === '~' || p.startsWith('~/')) p = path.join(os.homedir(), p.slice(1));
  if (!isBareName(p) && !path.isAbsolute(p)) p = path.resolve(ws ?? process.cwd(), p);
  return p;
}

/** A bare command name (looked up on PATH) has no directory part. */
export function isBareName(p: string): boolean {
  return !p.includes('/') && !p.includes('\\');
}

async function isExecutableFile(p: string, platform: NodeJS.Platform): Promise<boolean> {
  try {
    const st = await fs.stat(p);
    if (!st.isFile()) return false;
    if (platform === 'win32') return true;
    await fs.access(p, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the executable the way a shell would (`which`): a path is checked as
 * it is, a bare name is searched on PATH (with PATHEXT on Windows).
 * Returns the absolute path, or undefined when there is none.
 */
export async function findExecutable(setting: string, opts: ResolveOptions = {}): Promise<string | undefined> {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const p = expandServerPath(setting, opts);
  const exts = platform === 'win32'
    ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';').filter(Boolean)]
    : [''];
  if (!isBareName(p)) {
    for (const ext of exts) if (await isExecutableFile(p + ext, platform)) return p + ext;
    return undefined;
  }
  const dirs = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : ':').filter(Boolean);
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = path.join(dir, p + ext);
      if (await isExecutableFile(candidate, platform)) return candidate;
    }
  }
  return undefined;
}

export type ProbeResult =
  | { ok: true; path: string; version: string }
  | { ok: false; reason: 'missing' | 'failed'; detail: string };

/**
 * Checks that the server can be started: it exists and `--version` runs.
 * Never throws.
 */
export async function probeServer(
  setting: string,
  opts: ResolveOptions & { timeoutMs?: number } = {},
): Promise<ProbeResult> {
  const found = await findExecutable(setting, opts);
  if (!found) {
    const shown = expandServerPath(setting, opts);
    return {
      ok: false,
      reason: 'missing',
      detail: isBareName(shown)
        ? `"${shown}" was not found on PATH`
        : `"${shown}" does not exist or is not executable`,
    };
  }
  return new Promise<ProbeResult>((resolve) => {
    let out = '';
    let err = '';
    let settled = false;
    const done = (r: ProbeResult) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    let child;
    try {
      child = spawn(found, ['--version'], { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      done({ ok: false, reason: 'failed', detail: `${found} could not be started: ${String(e)}` });
      return;
    }
    const timer = setTimeout(() => {
      child.kill();
      done({ ok: false, reason: 'failed', detail: `${found} --version did not finish within ${opts.timeoutMs ?? 10000} ms` });
    }, opts.timeoutMs ?? 10000);
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      done({
        ok: false,
        reason: e.code === 'ENOENT' ? 'missing' : 'failed',
        detail: `${found} could not be started: ${e.message}`,
      });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        done({ ok: true, path: found, version: out.trim() || err.trim() || 'unknown version' });
      } else {
        const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const tail = (err.trim() || out.trim()).split('\n').slice(-3).join(' | ');
        done({ ok: false, reason: 'failed', detail: `${found} --version ${why}${tail ? `: ${tail}` : ''}` });
      }
    });
  });
}

/** The user-facing message for a probe failure. */
export function probeFailureMessage(r: Extract<ProbeResult, { ok: false }>): string {
  if (r.reason === 'missing') {
    return `Newsmark: the language server is not installed (${r.detail}). ` +
      `Install it from a Newsmark checkout with \`${INSTALL_COMMAND}\`, ` +
      `or point the setting "newsmark.server.path" at the newsmark binary.`;
  }
  return `Newsmark: the language server could not be run (${r.detail}). ` +
    `Reinstall it with \`${INSTALL_COMMAND}\`, or check the setting "newsmark.server.path".`;
}
