// Checks the extension manifest and language configuration against the
// server contract (settings names, activation, language id).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';

const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url)));
const langConf = JSON.parse(fs.readFileSync(new URL('../../language-configuration.json', import.meta.url)));
const grammar = JSON.parse(fs.readFileSync(new URL('../../syntaxes/newsmark.tmLanguage.json', import.meta.url)));

test('engine, activation and entry point', () => {
  assert.equal(pkg.engines.vscode, '^1.100.0');
  assert.deepEqual(pkg.activationEvents, ['onLanguage:newsmark', 'workspaceContains:**/newsmark.toml']);
  assert.equal(pkg.main, './out/extension.js');
  assert.match(pkg.dependencies['vscode-languageclient'], /^\^9\./);
});

test('language and grammar contributions', () => {
  const lang = pkg.contributes.languages.find((l) => l.id === 'newsmark');
  assert.deepEqual(lang.extensions, ['.nmk']);
  assert.equal(lang.configuration, './language-configuration.json');
  const g = pkg.contributes.grammars.find((x) => x.language === 'newsmark');
  assert.equal(g.scopeName, grammar.scopeName);
  assert.ok(fs.existsSync(new URL(`../../${g.path}`, import.meta.url)));
});

test('settings and command', () => {
  const props = pkg.contributes.configuration.properties;
  assert.equal(props['newsmark.server.path'].default, 'newsmark');
  assert.equal(props['newsmark.rules'].type, 'object');
  assert.deepEqual(props['newsmark.rules'].additionalProperties.enum, ['error', 'warning', 'info', 'hint', 'off']);
  assert.deepEqual(props['newsmark.trace.server'].enum, ['off', 'messages', 'verbose']);
  const cmd = pkg.contributes.commands.find((c) => c.command === 'newsmark.restartServer');
  assert.equal(`${cmd.category}: ${cmd.title}`, 'Newsmark: Restart Server');
});

test('language configuration: brackets, comment and whole-word references', () => {
  assert.equal(langConf.comments.lineComment, '%%');
  for (const pair of [['{', '}'], ['[', ']'], ['(', ')']]) {
    assert.ok(langConf.brackets.some((b) => b[0] === pair[0] && b[1] === pair[1]));
    assert.ok(langConf.autoClosingPairs.some((b) => b.open === pair[0] && b.close === pair[1]));
  }
  const re = new RegExp(langConf.wordPattern.pattern, `g${langConf.wordPattern.flags}`);
  const words = 'says @putin, (^kremlin-media !unverified) @Лавров'.match(re);
  for (const w of ['@putin', '^kremlin-media', '!unverified', '@Лавров']) assert.ok(words.includes(w), `${w} in ${words}`);
});
