// Unit tests for src/server.ts (built to out/server.js by `npm run build`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
const server = require('../../out/server.js');

function tempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'newsmark-unit-'));
}

function writeScript(dir, name, body) {
  const p = path.join(dir, name);
  fs.writeFileSync(p, `#!/bin/sh\n${body}\n`);
  fs.chmodSync(p, 0o755);
  return p;
}

test('install command is the documented one', () => {
  assert.equal(server.INSTALL_COMMAND, 'cargo install --path .');
});

test('expandServerPath: bare names stay bare, relative paths resolve against the workspace', () => {
  assert.equal(server.expandServerPath('newsmark'), 'newsmark');
  assert.equal(server.expandServerPath('  '), 'newsmark');
  assert.equal(server.expandServerPath('./target/debug/newsmark', { workspaceFolder: '/ws' }), '/ws/target/debug/newsmark');
  assert.equal(server.expandServerPath('${workspaceFolder}/bin/newsmark', { workspaceFolder: '/ws' }), '/ws/bin/newsmark');
  assert.equal(server.expandServerPath('~/bin/newsmark'), path.join(os.homedir(), 'bin/newsmark'));
});

test('findExecutable searches PATH for a bare name and skips non-executables', async () => {
  const a = tempDir();
  const b = tempDir();
  fs.writeFileSync(path.join(a, 'newsmark'), 'not executable');
  const good = writeScript(b, 'newsmark', 'echo ok');
  const env = { PATH: `${a}:${b}` };
  assert.equal(await server.findExecutable('newsmark', { env, platform: 'linux' }), good);
  assert.equal(await server.findExecutable('newsmark', { env: { PATH: a }, platform: 'linux' }), undefined);
  assert.equal(await server.findExecutable(good, { env: {}, platform: 'linux' }), good);
  assert.equal(await server.findExecutable(b, { env: {}, platform: 'linux' }), undefined, 'a directory is not an executable');
});

test('probeServer reports a missing binary with the install command', async () => {
  const r = await server.probeServer('newsmark-definitely-missing', { env: { PATH: tempDir() } });
  assert.equal(r.ok, false);
  assert.equal(r.reason, 'missing');
  const msg = server.probeFailureMessage(r);
  assert.match(msg, /cargo install --path \./);
  assert.match(msg, /newsmark\.server\.path/);
  assert.match(msg, /not found on PATH/);

  const r2 = await server.probeServer('/nonexistent/dir/newsmark');
  assert.equal(r2.ok, false);
  assert.equal(r2.reason, 'missing');
  assert.match(r2.detail, /does not exist or is not executable/);
});

test('probeServer returns the version of a working binary', async () => {
  const dir = tempDir();
  const bin = writeScript(dir, 'newsmark', '[ "$1" = --version ] && echo "newsmark 0.1.0"');
  const r = await server.probeServer(bin);
  assert.deepEqual(r, { ok: true, path: bin, version: 'newsmark 0.1.0' });
});

test('probeServer reports a binary that fails to run', async () => {
  const dir = tempDir();
  const bin = writeScript(dir, 'newsmark', 'echo "boom: bad build" >&2; exit 3');
  const r = await server.probeServer(bin);
  assert.equal(r.ok, false);
  assert.equal(r.reason, 'failed');
  assert.match(r.detail, /exited with code 3: boom: bad build/);
  assert.match(server.probeFailureMessage(r), /could not be run/);
});

test('probeServer times out on a hanging binary', async () => {
  const dir = tempDir();
  const bin = writeScript(dir, 'newsmark', 'exec sleep 30');
  const r = await server.probeServer(bin, { timeoutMs: 300 });
  assert.equal(r.ok, false);
  assert.match(r.detail, /did not finish within 300 ms/);
});
