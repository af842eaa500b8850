// The renderers given a report whose text came from a hostile model.
import { describe, expect, it } from 'vitest';
import { REPORT_VERSION, suiteTotals, type CaseResult, type EvalReport, type SampleResult } from '../../core/eval/report.js';
import type { Output } from '../output.js';
import { renderFailingCases } from './deviations.js';
import { renderReport, type Format } from './report.js';

const HOSTILE = 'tra\x1b[2J\x1b]0;owned\x07vel\rPASS \u009b31m \u202Egnp.exe';
// Anything a terminal acts on: C0 but \t and \n, DEL, C1, bidi overrides and isolates.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

function sample(over: Partial<SampleResult>): SampleResult {
  return { sample: 0, pass: false, assertions: [], tokens: { input: 1, output: 1 }, costUsd: 0, latencyMs: 5, ...over };
}

function report(opts: { cases: CaseResult[]; locked?: boolean; interrupted?: number; warnings?: string[] }): EvalReport {
  const totals = suiteTotals(opts.cases, 10, opts.interrupted ?? 0);
  return {
    version: REPORT_VERSION,
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 10,
    mode: 'live',
    unlocked: opts.locked === false,
    interrupted: opts.interrupted !== undefined,
    warnings: opts.warnings ?? [],
    suites: [
      {
        suite: 'inv',
        file: 'evals/inv.yaml',
        prompt: { id: 'inv', version: 1, sha256: 'a'.repeat(64), editedSinceLock: false },
        model: { name: 'fast', requested: 'openai:gpt-4o-mini', resolved: 'openai:gpt-4o-mini-2024-07-18', locked: opts.locked !== false },
        requiredPassRate: 1,
        outputType: 'text',
        cases: opts.cases,
        totals,
      },
    ],
    totals,
  };
}

const failing: CaseResult = {
  id: 'flight',
  status: 'fail',
  line: 9,
  samples: [sample({ output: HOSTILE, assertions: [{ type: 'equals', pass: false, score: 0, reason: `expected "travel", got ${JSON.stringify(HOSTILE)} ${HOSTILE}`, expected: 'travel' }] })],
};
const erroring: CaseResult = { id: 'power', status: 'error', line: 5, samples: [sample({ error: { kind: 'exec', message: `command failed: ${HOSTILE}` } })] };
const passing: CaseResult = { id: 'chairs', status: 'pass', samples: [sample({ pass: true, output: 'other' })] };

const out = (color: boolean): Output => ({ json: false, quiet: false, color, progress: false, out: () => {}, err: () => {} });

describe('renderers: untrusted text', () => {
  it.each<[Format, boolean]>([
    ['table', false],
    ['table', true],
    ['markdown', false],
    ['github', false],
    ['junit', false],
  ])('%s (colour %s) prints no terminal control from model or command output', (format, color) => {
    const text = renderReport(report({ cases: [failing, erroring, passing], warnings: [`served model "x\x1b[31m"`] }), format, out(color));
    // Our own colours are the only ESC sequences: SGR codes, nothing else.
    const withoutOurColours = text.replace(/\x1b\[(?:\d+)m/g, ''); // eslint-disable-line no-control-regex
    expect(withoutOurColours).not.toMatch(UNSAFE);
    expect(text).toContain('␛[2J');
    expect(text).toContain('⟨U+202E⟩');
    expect(text).toMatch(/inv\/power|power/);
  });

  it('keeps the JSON report as it is: machines read it, and JSON escapes what it must', () => {
    const text = renderReport(report({ cases: [failing] }), 'json', out(false));
    expect(JSON.parse(text).suites[0].cases[0].samples[0].output).toBe(HOSTILE);
  });
});

describe('renderers: markers', () => {
  it('junit carries UNLOCKED as a property of the suite, as markdown and github carry the warning', () => {
    const r = report({ cases: [passing], locked: false, warnings: ['UNLOCKED: suite "inv" ran against openai:gpt-4o-mini, which is not pinned in aigov.lock'] });
    expect(renderReport(r, 'junit', out(false))).toMatch(
      /<testsuite name="inv"[^>]*>\n {4}<properties>\n {6}<property name="UNLOCKED" value="openai:gpt-4o-mini-2024-07-18 is not pinned in aigov.lock; this result is not evidence for a gate"\/>\n {4}<\/properties>\n {4}<testcase/,
    );
    expect(renderReport(r, 'markdown', out(false))).toContain('> **warning:** UNLOCKED: ');
    expect(renderReport(r, 'github', out(false))).toContain('::warning title=aigov::UNLOCKED: ');
    expect(renderReport(report({ cases: [passing] }), 'junit', out(false))).not.toContain('<properties>');
  });

  it.each<[Format, RegExp]>([
    ['table', /^interrupted: 3 cases did not finish \(in flight or not started\) and count as neither passed, failed nor errors; only the 1 that finished are reported$/m],
    ['markdown', /^> \*\*interrupted:\*\* 3 cases did not finish/m],
    ['github', /^::warning title=aigov::interrupted: 3 cases did not finish/m],
    ['junit', /<property name="interrupted" value="3 cases did not finish and are not reported"\/>/],
  ])('an interrupted run says how many cases did not finish: %s', (format, want) => {
    const r = report({ cases: [passing], interrupted: 3 });
    expect(r.totals).toMatchObject({ cases: 1, errors: 0, interrupted: 3 });
    expect(renderReport(r, format, out(false))).toMatch(want);
  });

  it('--quiet names each case that did not pass, one line each', () => {
    expect(renderFailingCases(report({ cases: [failing, erroring, passing] }), out(false)).split('\n')).toEqual(['FAIL inv/flight  evals/inv.yaml:9', 'ERROR inv/power  evals/inv.yaml:5']);
    expect(renderFailingCases(report({ cases: [passing] }), out(false))).toBe('');
  });
});
