import { describe, expect, it } from 'vitest';
import type { Gate } from '../../core/tiers/gates.js';
import { gateActual, gateRequired, renderGates } from './gates.js';

const g = (name: Gate['name'], required: Gate['required'], actual: Gate['actual'], pass = true): Gate => ({ name, required, actual, pass });

describe('gate values as people read them', () => {
  it.each<[Gate, string, string]>([
    [g('runs', 100, 197), 'at least 100 finished', '197'],
    [g('errorRate', 0.02, 3 / 200), 'at most 2%', '1.5%'],
    // Two decimals of a percent: a rate just over its maximum never shows as equal to it.
    [g('overrideRate', 0.05, 0.0504, false), 'at most 5%', '5.04%'],
    [g('lowConfidenceRate', 0.2, 20 / 197), 'at most 20%', '10.15%'],
    [g('errorRate', 0.02, null), 'at most 2%', 'no runs to measure'],
    [g('reviewBacklog', 31, 0), 'nothing waiting over 31 days', 'nothing waiting'],
    [g('reviewBacklog', 7, 1), 'nothing waiting over 7 days', 'oldest waiting 1 day'],
    [g('reviewBacklog', 7, 8.25, false), 'nothing waiting over 7 days', 'oldest waiting 8.3 days'],
    [g('reviewBacklog', 7, 3 / 24), 'nothing waiting over 7 days', 'oldest waiting 3 h'],
    [g('reviewBacklog', 7, 1 / 86_400), 'nothing waiting over 7 days', 'oldest waiting 1 min'],
    [g('governance', 'an owner and every governance answer', 'all answered'), 'an owner and every governance answer', 'all answered'],
  ])('%j', (gate, required, actual) => {
    expect(gateRequired(gate)).toBe(required);
    expect(gateActual(gate)).toBe(actual);
  });

  it('shows text from the workspace and the log as text, never as terminal control', () => {
    const out = renderGates([g('lock', 'current', 'model "\u001b[2Jfast" is not locked', false)], { color: false, json: false, quiet: false, progress: false, out: () => {}, err: () => {} });
    expect(out).not.toContain('\u001b[2J');
    expect(out).toContain('FAIL');
  });
});
