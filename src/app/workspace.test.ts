// Lock drift as `aigov validate` lists it: never a second message for a cause already reported.
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../errors.js';
import { buildWorkspace } from '../core/workspace/build.js';
import { driftWarnings } from './workspace.js';

const CONFIG = 'version: 1\nmodels:\n  fast: openai:gpt-4o-mini\n';
const PROMPT = (id: string) => `id: ${id}\nversion: 1\nmodel: fast\nmessages:\n  - { role: user, content: hi }\n`;
const LOCK = `lockfileVersion: 1
models:
  fast: { requested: openai:gpt-4o-mini, resolved: openai:gpt-4o-mini-2024-07-18, served: gpt-4o-mini-2024-07-18, pinnedAt: 2026-01-01T00:00:00Z, pinnedBy: t }
prompts:
  a: { version: 1, sha256: ${'a'.repeat(64)} }
  b: { version: 1, sha256: ${'a'.repeat(64)} }
`;

function validate(files: Record<string, string | undefined>): string[] {
  const all: Record<string, string | undefined> = { 'aigov.yaml': CONFIG, 'aigov.lock': LOCK, 'prompts/a.yaml': PROMPT('a'), 'prompts/b.yaml': PROMPT('b'), ...files };
  const ws = buildWorkspace('/ws', Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined).map(([path, text]) => ({ path, text })));
  return [...ws.problems, ...driftWarnings(ws)].map(formatProblem).filter((p) => !/changed since it was locked/.test(p));
}

describe('driftWarnings', () => {
  it.each<[string, Record<string, string | undefined>, RegExp[]]>([
    ['a prompt really gone', { 'prompts/b.yaml': undefined }, [/^aigov.lock warning prompt "b" is locked but its file is gone/]],
    ['a prompt file that fails to parse: its error only, not "its file is gone"', { 'prompts/b.yaml': 'id: [b\n' }, [/^prompts\/b.yaml:\d+:\d+ error invalid YAML/]],
    ['a prompt file with a schema error: likewise', { 'prompts/b.yaml': PROMPT('b').replace('version: 1', 'version: 0') }, [/^prompts\/b.yaml:2:10 error version: /]],
    ['a prompt file whose id differs: likewise', { 'prompts/b.yaml': PROMPT('c') }, [/^prompts\/b.yaml:1:5 error id: id "c" must equal the file name "b"/]],
    ['a lock that fails to parse: its error only, not "no lock file"', { 'aigov.lock': 'lockfileVersion: [1\n' }, [/^aigov.lock:\d+:\d+ error invalid YAML/]],
    ['a lock with a schema error: likewise', { 'aigov.lock': 'lockfileVersion: 7\n' }, [/^aigov.lock:1:18 error lockfileVersion: /]],
    ['no lock at all', { 'aigov.lock': undefined }, [/^aigov.lock warning no lock file/]],
  ])('%s', (_n, files, expected) => {
    const got = validate(files);
    expect(got).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(got[i]).toMatch(e));
  });
});
