import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildWorkspace } from '../core/workspace/build.js';
import type { RawFile } from '../core/workspace/workspace.js';
import { cachingParse, keepWritten } from './parse-cache.js';

const SUITE = 'suite: s\nprompt: p\ncases:\n  - { id: a, vars: { x: "1" }, expect: one }\n  - { id: b, vars: { x: "2" }, expect: two }\n';
const PROMPT = 'id: p\nversion: 1\nmodel: m\nmessages:\n  - role: user\n    content: "say {{x}}"\nvars:\n  x: { type: string }\n  unused: { type: string, required: false }\n';
const CONFIG = 'version: 1\nmodels:\n  m: openai:gpt-4o-mini\n';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'aigov-parse-cache-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const files = (over: Record<string, string> = {}): RawFile[] =>
  Object.entries({ 'aigov.yaml': CONFIG, 'prompts/p.yaml': PROMPT, 'evals/s.yaml': SUITE, ...over }).map(([path, text]) => ({ path, text }));
const build = (over?: Record<string, string>, parse = cachingParse(root)) => buildWorkspace(root, files(over), parse);
const checkedDir = () => join(root, '.aigov', 'cache', 'checked');
const checkedFiles = () => readdirSync(checkedDir()).filter((f) => f.endsWith('.json'));

describe('the parse cache keeps what validation concluded', () => {
  it('a second read takes each clean file\'s checked value from the cache, equal to checking it again', () => {
    const first = build();
    expect(first.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(checkedFiles()).toHaveLength(3);
    const second = build();
    expect(second.suites.get('s')!.value).toEqual(first.suites.get('s')!.value);
    expect(second.prompts.get('p')!.value).toEqual(first.prompts.get('p')!.value);
    expect(second.config!.value).toEqual(first.config!.value);
    // Defaults the schema fills in are part of what was kept.
    expect(second.suites.get('s')!.value).toMatchObject({ repeat: 1, passRate: 1 });
  });

  it('is what a read uses: a kept verdict stands in for the check (which is why it is keyed by the exact text)', () => {
    build();
    for (const f of checkedFiles()) {
      const path = join(checkedDir(), f);
      const value = JSON.parse(readFileSync(path, 'utf8'));
      if (value.suite === 's') writeFileSync(path, JSON.stringify({ ...value, passRate: 0.5 }));
    }
    expect(build().suites.get('s')!.value.passRate).toBe(0.5);
    // Another text is another key: checked afresh.
    expect(build({ 'evals/s.yaml': `${SUITE}# edited\n` }).suites.get('s')!.value.passRate).toBe(1);
  });

  it('keeps nothing for a file that fails its check, and reports it every time', () => {
    const bad = 'suite: s\nprompt: p\ncases:\n  - { id: a, vars: {}, expect: one, colour: red }\n';
    for (let i = 0; i < 2; i++) {
      const ws = build({ 'evals/s.yaml': bad });
      expect(ws.problems.filter((p) => p.severity === 'error')).toEqual([expect.objectContaining({ file: 'evals/s.yaml', line: 4, message: 'unknown key "colour"' })]);
    }
    expect(checkedFiles()).toHaveLength(2);
  });

  it('places a warning from a cached file at its line, as from a fresh one', () => {
    const fresh = build().problems;
    const cached = build().problems;
    expect(fresh).toEqual([expect.objectContaining({ severity: 'warning', file: 'prompts/p.yaml', line: 9, col: 3, message: 'variable "unused" is declared but not used in any message' })]);
    expect(JSON.parse(JSON.stringify(cached))).toEqual(JSON.parse(JSON.stringify(fresh)));
  });

  it('a schema that changed (its JSON Schema as the build wrote it) is a new key; no schema to read, no cached verdicts', () => {
    const schemas = join(root, 'schemas');
    cpSync(new URL('../../schemas/', import.meta.url), schemas, { recursive: true });
    const url = pathToFileURL(`${schemas}/`);
    build(undefined, cachingParse(root, url));
    expect(checkedFiles()).toHaveLength(3);
    writeFileSync(join(schemas, 'suite.json'), '{"changed":true}');
    build(undefined, cachingParse(root, url));
    expect(checkedFiles()).toHaveLength(4);
    rmSync(checkedDir(), { recursive: true });
    mkdirSync(checkedDir());
    build(undefined, cachingParse(root, pathToFileURL(join(root, 'nowhere/'))));
    expect(checkedFiles()).toHaveLength(0);
  });

  it('a file a command has just written (pin\'s lock) is kept as checked, so the next read takes it from the cache; a broken one is not', () => {
    const lock = 'lockfileVersion: 2\nmodels: {}\nprompts: {}\nautomations: {}\n';
    keepWritten(root, 'lock', 'aigov.lock', lock);
    expect(checkedFiles()).toHaveLength(1);
    const kept = JSON.parse(readFileSync(join(checkedDir(), checkedFiles()[0]), 'utf8'));
    const read = build({ 'aigov.lock': lock });
    expect(read.lock!.value).toEqual(kept);
    expect(checkedFiles()).toHaveLength(4);
    keepWritten(root, 'lock', 'aigov.lock', 'lockfileVersion: 2\nmodels: 7\n');
    expect(checkedFiles()).toHaveLength(4);
  });
});

