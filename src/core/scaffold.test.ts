import { describe, expect, it } from 'vitest';
import { buildWorkspace } from './workspace/build.js';
import { gitignoreWith, SCAFFOLD } from './scaffold.js';

describe('gitignoreWith', () => {
  it.each<[string, string | undefined, string | undefined]>([
    ['no file: a new one', undefined, '.aigov/\n.env\nnode_modules/\n'],
    ['an empty file', '', '# aigov: local state and secrets\n.aigov/\n.env\n'],
    ['both missing: appended after the last line', 'dist/\n', 'dist/\n# aigov: local state and secrets\n.aigov/\n.env\n'],
    ['no final newline', 'dist/', 'dist/\n# aigov: local state and secrets\n.aigov/\n.env\n'],
    ['only the missing line', 'node_modules/\n.env\n', 'node_modules/\n.env\n# aigov: local state and secrets\n.aigov/\n'],
    ['both there: unchanged', '.aigov/\n.env\n', undefined],
    ['written other ways: unchanged', '/.aigov\n  /.env  \n', undefined],
    ['.aigov/* counts', '.aigov/*\n.env\n', undefined],
    ['a later !.env un-ignores it', '.aigov/\n.env\n!.env\n', '.aigov/\n.env\n!.env\n# aigov: local state and secrets\n.env\n'],
    ['a commented line does not count', '# .env\n.aigov/\n', '# .env\n.aigov/\n# aigov: local state and secrets\n.env\n'],
    ['.env.local is another file', '.env.local\n.aigov/\n', '.env.local\n.aigov/\n# aigov: local state and secrets\n.env\n'],
    ['CRLF is kept', 'dist/\r\n', 'dist/\r\n# aigov: local state and secrets\r\n.aigov/\r\n.env\r\n'],
  ])('%s', (_name, before, after) => {
    expect(gitignoreWith(before)).toBe(after);
  });
});

describe('SCAFFOLD', () => {
  it('is a valid workspace, with a commented providers block', () => {
    const ws = buildWorkspace('/ws', Object.entries(SCAFFOLD).map(([path, text]) => ({ path, text })));
    expect(ws.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(ws.config?.value.providers).toEqual({ openai: { apiKeyEnv: 'OPENAI_API_KEY' } });
    expect(SCAFFOLD['aigov.yaml']).toMatch(/#\s+openai: \{ baseURL: http:\/\/127\.0\.0\.1:8080\/v1, apiKeyEnv: OPENAI_API_KEY \}/);
    expect(SCAFFOLD['aigov.yaml']).toMatch(/dummy value/);
  });
});
