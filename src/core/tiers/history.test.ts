import { describe, expect, it } from 'vitest';
import { ledgerStatuses, tierChangeRecord, type LedgerStatus } from './history.js';

const change = (seq: number) => ({ seq, hash: `h${seq}` });

describe('ledgerStatuses: each logged change against the hash the lock names', () => {
  it.each<[string, number[], string | null | undefined, LedgerStatus[]]>([
    ['no change logged', [], 'h1', []],
    ['the lock names the only one', [1], 'h1', ['in-effect']],
    ['the lock names the last: the earlier ones are superseded', [1, 4, 9], 'h9', ['superseded', 'superseded', 'in-effect']],
    ['a change after the one named (a race lost, a failed write) is not in effect', [1, 4, 9], 'h4', ['superseded', 'in-effect', 'not-in-effect']],
    ['an entry pin made (event null): none is in effect', [1, 4], null, ['not-in-effect', 'not-in-effect']],
    ['no entry at all', [1], undefined, ['not-in-effect']],
    ['a hash this log does not hold: none is in effect, none superseded', [1, 4], 'elsewhere', ['not-in-effect', 'not-in-effect']],
    ['out of seq order, by seq not position', [9, 1, 4], 'h4', ['not-in-effect', 'superseded', 'in-effect']],
  ])('%s', (_, seqs, lockEvent, want) => {
    expect(ledgerStatuses(seqs.map(change), lockEvent)).toEqual(want);
  });
});

describe('tierChangeRecord: the payload read defensively', () => {
  const envelope = { seq: 7, hash: 'abc', at: '2026-12-03T10:00:00.000Z', automation: 'bot' };

  it('reads every field a change logs', () => {
    const gates = [
      { name: 'runs', required: 100, actual: 3, pass: false },
      { name: 'errorRate', required: 0.02, actual: null, pass: true },
      { name: 'lock', required: 'current for its model and prompt', actual: 'current', pass: true },
    ];
    const data = { from: 1, to: 2, reason: 'why', by: 'jane', identity: { osUser: 'j', host: 'h', gitEmail: null }, forced: true, failing: ['runs'], evidence: gates };
    expect(tierChangeRecord({ ...envelope, data }, 'in-effect')).toEqual({
      ...envelope,
      from: 1,
      to: 2,
      reason: 'why',
      by: 'jane',
      identity: { osUser: 'j', host: 'h', gitEmail: null },
      forced: true,
      failing: ['runs'],
      gates,
      status: 'in-effect',
    });
  });

  it('an old or odd payload still shows: missing fields as null, entries that are no gate left out', () => {
    const data = { from: 'one', evidence: [{ name: 'runs' }, null, 'x', { name: 'lock', required: 'r', actual: 'a', pass: true }], failing: [1, 'evals'], identity: 'me' };
    expect(tierChangeRecord({ ...envelope, data }, 'superseded')).toEqual({
      ...envelope,
      from: null,
      to: null,
      reason: null,
      by: null,
      identity: null,
      forced: false,
      failing: ['evals'],
      gates: [{ name: 'lock', required: 'r', actual: 'a', pass: true }],
      status: 'superseded',
    });
  });
});
