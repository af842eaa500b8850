import { describe, expect, it } from 'vitest';
import { analyzeHistory, summarizeEvals, type HistoryPoint, type PromptState } from './history.js';

const H = (n: number) => String(n).repeat(64).slice(0, 64);
const C = (n: number) => `c${n}`.padEnd(40, '0');
const at = (n: number, state: PromptState): HistoryPoint => ({ commit: C(n), author: 'Ann', email: 'ann@example.com', date: `2026-01-0${n}T10:00:00+00:00`, subject: `commit ${n}`, state });
const p = (version: number, hash: number): PromptState => ({ kind: 'prompt', version, sha256: H(hash) });

describe('analyzeHistory', () => {
  it('lists each (version, hash) once, at the first commit where it appears', () => {
    const { versions, invalid } = analyzeHistory([at(1, p(1, 1)), at(2, p(1, 1)), at(3, p(2, 2)), at(4, p(3, 3))]);
    expect(versions.map((v) => [v.version, v.sha256, v.commit, v.flags])).toEqual([
      [1, H(1), C(1), []],
      [2, H(2), C(3), []],
      [3, H(3), C(4), []],
    ]);
    expect(versions[0]).toMatchObject({ author: 'Ann', email: 'ann@example.com', date: '2026-01-01T10:00:00+00:00', subject: 'commit 1' });
    expect(invalid).toEqual([]);
  });

  it('flags a content change without a version bump, next to or far from the first content', () => {
    const { versions } = analyzeHistory([at(1, p(1, 1)), at(2, p(1, 2)), at(3, p(2, 3)), at(4, p(1, 4))]);
    expect(versions.map((v) => v.flags.map((f) => f.code))).toEqual([[], ['not_bumped'], [], ['not_bumped', 'version_lowered']]);
    expect(versions[1].flags[0]).toMatchObject({ previous: { version: 1, sha256: H(1), commit: C(1) } });
    expect(versions[1].flags[0].message).toBe(`content changed without a version bump: version 1 already had content ${H(1).slice(0, 12)} at ${C(1).slice(0, 7)}`);
    expect(versions[3].flags[1].message).toBe('version went down from 2 to 1');
  });

  it('going back to an earlier content is not a new version, and is not flagged', () => {
    const { versions } = analyzeHistory([at(1, p(1, 1)), at(2, p(2, 2)), at(3, p(1, 1)), at(4, p(2, 2))]);
    expect(versions.map((v) => [v.version, v.commit])).toEqual([
      [1, C(1)],
      [2, C(2)],
    ]);
  });

  it('keeps commits where the file did not parse apart, and skips commits where it was gone', () => {
    const { versions, invalid } = analyzeHistory([at(1, p(1, 1)), at(2, { kind: 'invalid', problems: ['prompts/x.yaml:2:1 error invalid YAML'] }), at(3, { kind: 'absent' }), at(4, p(2, 2))]);
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(versions[1].flags).toEqual([]);
    expect(invalid).toEqual([{ commit: C(2), author: 'Ann', date: '2026-01-02T10:00:00+00:00', problems: ['prompts/x.yaml:2:1 error invalid YAML'] }]);
  });

  it('the working tree comes last with no commit, flagged like any other', () => {
    const { versions } = analyzeHistory([at(1, p(1, 1)), { commit: null, state: p(1, 9) }]);
    expect(versions[1]).toMatchObject({ version: 1, sha256: H(9), commit: null, author: null, date: null, flags: [{ code: 'not_bumped' }] });
    expect(analyzeHistory([at(1, p(1, 1)), { commit: null, state: p(1, 1) }]).versions).toHaveLength(1);
    expect(analyzeHistory([]).versions).toEqual([]);
  });
});

describe('summarizeEvals', () => {
  const ev = (at: string, data: Record<string, unknown>) => ({ at, data: { suite: 's', prompt: { id: 'x', version: 1, sha256: H(1) }, model: 'openai:m-1', mode: 'live', passRate: 1, passed: true, cases: 4, commit: C(1), ...data } });
  it('one line per suite, model, mode and shard: runs, how many passed, and the newest result', () => {
    const events = [
      ev('2026-01-01T00:00:00Z', {}),
      ev('2026-01-03T00:00:00Z', { passRate: 0.5, passed: false, commit: C(2) }),
      ev('2026-01-02T00:00:00Z', { mode: 'replay' }),
      ev('2026-01-02T00:00:00Z', { suite: 'a' }),
      ev('2026-01-04T00:00:00Z', { prompt: { id: 'x', version: 2, sha256: H(2) } }),
      ev('2026-01-04T00:00:00Z', { prompt: { id: 'other', version: 1, sha256: H(1) } }),
      ev('2026-01-04T00:00:00Z', { suite: 42 }),
      ev('2026-01-05T00:00:00Z', { shard: { index: 2, count: 2 }, cases: 1 }),
    ];
    expect(summarizeEvals(events, 'x', H(1))).toEqual([
      { suite: 'a', model: 'openai:m-1', mode: 'live', shard: null, runs: 1, passedRuns: 1, last: { at: '2026-01-02T00:00:00Z', passRate: 1, passed: true, cases: 4, commit: C(1) } },
      { suite: 's', model: 'openai:m-1', mode: 'live', shard: null, runs: 2, passedRuns: 1, last: { at: '2026-01-03T00:00:00Z', passRate: 0.5, passed: false, cases: 4, commit: C(2) } },
      { suite: 's', model: 'openai:m-1', mode: 'live', shard: { index: 2, count: 2 }, runs: 1, passedRuns: 1, last: { at: '2026-01-05T00:00:00Z', passRate: 1, passed: true, cases: 1, commit: C(1) } },
      { suite: 's', model: 'openai:m-1', mode: 'replay', shard: null, runs: 1, passedRuns: 1, last: { at: '2026-01-02T00:00:00Z', passRate: 1, passed: true, cases: 4, commit: C(1) } },
    ]);
    expect(summarizeEvals(events, 'x', H(3))).toEqual([]);
  });
});
