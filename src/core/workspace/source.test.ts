import { describe, expect, it } from 'vitest';
import { parseSource, problemAt } from './source.js';

const TEXT = 'id: p\nvars:\n  a: { type: string }\n  unused: { type: string }\n';

describe('problemAt', () => {
  it('parses for positions only when a line or column is read, and finds them once', () => {
    const { source } = parseSource('prompts/p.yaml', TEXT, { value: {} });
    let parses = 0;
    const counting = Object.create(source, {
      doc: {
        get() {
          parses++;
          return source.doc;
        },
      },
    });
    const p = problemAt(counting, ['vars', 'unused'], 'declared but not used', { severity: 'warning', key: true });
    expect(parses).toBe(0);
    expect(p).toMatchObject({ severity: 'warning', file: 'prompts/p.yaml', path: 'vars.unused', message: 'declared but not used' });
    expect(parses).toBe(0);
    expect([p.line, p.col]).toEqual([4, 3]);
    const reads = parses;
    expect(reads).toBeGreaterThan(0);
    expect([p.line, p.col]).toEqual([4, 3]);
    expect(parses).toBe(reads);
  });

  it('reads, copies and serializes as a plain problem', () => {
    const { source } = parseSource('prompts/p.yaml', TEXT);
    const p = problemAt(source, ['vars', 'a', 'type'], 'x', { hint: 'h' });
    const plain = { severity: 'error', file: 'prompts/p.yaml', line: 3, col: 14, path: 'vars.a.type', message: 'x', hint: 'h' };
    expect(p).toEqual(plain);
    expect({ ...p }).toEqual(plain);
    expect(JSON.parse(JSON.stringify(p))).toEqual(plain);
    expect(Object.keys(p)).toEqual(Object.keys(plain));
  });
});
