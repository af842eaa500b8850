// The --baseline part of every renderer: the comparison first, and model output
// that cannot become markup, a mention, a new table cell or a terminal control.
import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../core/eval/baseline.js';
import { REPORT_VERSION, suiteTotals, type CaseResult, type EvalReport, type SuiteResult } from '../../core/eval/report.js';
import type { Output } from '../output.js';
import { renderFailingCases } from './deviations.js';
import { renderReport, type Format } from './report.js';

const HOSTILE = '`|<img src=x onerror=alert(1)>| @octocat ![x](http://e/x.png)\n# head\x1b[2J\u202e';
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

function c(id: string, pass: boolean, output: string, line?: number): CaseResult {
  return { id, status: pass ? 'pass' : 'fail', line, samples: [{ sample: 0, output, pass, assertions: pass ? [] : [{ type: 'equals', pass: false, score: 0, reason: `output ${JSON.stringify(output)} differs`, expected: 'ok' }], tokens: { input: 1, output: 1 }, costUsd: 0, latencyMs: 1 }] };
}

function suite(cases: CaseResult[]): SuiteResult {
  return {
    suite: 'inv',
    file: 'evals/inv.yaml',
    prompt: { id: 'inv', version: 1, sha256: 'a'.repeat(64), editedSinceLock: false },
    model: { name: 'fast', requested: 'openai:gpt-4o-mini', resolved: 'openai:gpt-4o-mini-2024-07-18', locked: true },
    requiredPassRate: 1,
    outputType: 'text',
    cases,
    totals: suiteTotals(cases, 1),
  };
}

function run(cases: CaseResult[]): EvalReport {
  const s = suite(cases);
  return { version: REPORT_VERSION, startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1, mode: 'live', unlocked: false, interrupted: false, warnings: [], suites: [s], totals: s.totals };
}

const base = run([c('a', true, 'ok'), c('b', false, 'nope'), c('d', true, 'same')]);
const head = run([c('a', false, HOSTILE, 4), c('b', true, 'ok'), c('d', true, 'Same')]);
const report: EvalReport = { ...head, baseline: compareRuns({ ref: 'origin/main', commit: 'f'.repeat(40), base, head, added: [], removed: [] }) };
const out: Output = { json: false, quiet: false, color: false, progress: false, out: () => {}, err: () => {} };

describe('--baseline in every format', () => {
  it.each<Format>(['table', 'markdown', 'github', 'junit'])('%s prints no terminal control from the model', (format) => {
    expect(renderReport(report, format, out)).not.toMatch(UNSAFE);
  });

  it('markdown: the comparison first, each output in one code span of one table cell', () => {
    const md = renderReport(report, 'markdown', out);
    const lines = md.split('\n');
    expect(lines[0]).toBe('## aigov eval --baseline `origin/main`: ❌ 1 case got worse');
    expect(md.indexOf('### Worse')).toBeLessThan(md.indexOf('### Better'));
    expect(md.indexOf('### Better')).toBeLessThan(md.indexOf('### Output changed'));
    expect(md.indexOf('### Output changed')).toBeLessThan(md.indexOf('<details>'));
    const row = lines.find((l) => l.startsWith('| inv/a |'))!;
    // GitHub splits cells on a bare pipe, even inside a code span: every pipe of the output is escaped.
    const cells = row.split(/(?<!\\)\|/);
    expect(cells).toHaveLength(5);
    const now = cells[3].trim();
    const span = /^❌ (`+) (.*) \1$/.exec(now);
    expect(span, now).not.toBeNull();
    // The span holds the text, cut to one line: no markup or mention escapes it.
    const text = span![2].replace(/\\\|/g, '|');
    expect(text.startsWith('`|<img src=x onerror=alert(1)>| @octocat ![x](http://e/x.pn')).toBe(true);
    expect(text.endsWith('…')).toBe(true);
    expect(md).toContain('| inv/b | ❌ `nope` | ✅ `ok` |');
    expect(md).toContain('| inv/d | ✅ `same` | ✅ `Same` |');
    // The deviation's reason quotes the output too: as text, outside any code span.
    expect(md).not.toMatch(/^- .*<img/m);
    expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('table: moved cases, then the test, then what fails, before the deviations', () => {
    const text = renderReport(report, 'table', out);
    const lines = text.split('\n');
    expect(lines[0]).toBe('against origin/main (ffffffffffff): inv');
    expect(lines[1]).toMatch(/^WORSE {3}inv\/a {2}"ok" → "`\|<img src=x/);
    expect(lines[2]).toBe('BETTER  inv/b  "nope" → "ok"');
    expect(lines[3]).toBe('CHANGED inv/d  "same" → "Same"');
    expect(lines[4]).toBe("inv: 2/3 (66.7%) passed at origin/main, 2/3 (66.7%) now; McNemar's exact test on 3 paired cases: 1 worse, 1 better; one-sided p = 0.75");
    expect(lines[5]).toBe('REGRESSION inv: a case that passed at origin/main fails every sample now (a)');
    expect(text.indexOf('REGRESSION')).toBeLessThan(text.indexOf('FAIL inv/a'));
  });

  it('github: an error at the line of each case that got worse, notices for the rest, then the deviations', () => {
    const lines = renderReport(report, 'github', out).split('\n');
    expect(lines[0]).toMatch(/^::error file=evals\/inv.yaml,line=4,title=worse against origin\/main%3A inv\/a::at origin\/main: pass "ok"%0Anow: fail "`\|<img/);
    expect(lines[1]).toBe('::notice file=evals/inv.yaml,title=better against origin/main%3A inv/b::at origin/main: fail "nope"%0Anow: pass "ok"');
    expect(lines[2]).toBe('::notice file=evals/inv.yaml,title=output changed against origin/main%3A inv/d::at origin/main: pass "same"%0Anow: pass "Same"');
    expect(lines[3]).toMatch(/^::error file=evals\/inv.yaml,title=regression against origin\/main%3A inv::a case that passed/);
    expect(lines[4]).toMatch(/^::error file=evals\/inv.yaml,line=4,title=deviation%3A inv\/a::/);
    // One command a line: a newline in the output is escaped, never a new command.
    for (const l of lines) expect(l).toMatch(/^(::(error|notice|warning) |aigov eval: )/);
  });

  it('junit: the comparison as a test suite of its own, first, failing on the regression', () => {
    const xml = renderReport(report, 'junit', out);
    expect(xml).toMatch(/<testsuites name="aigov eval" tests="4" failures="2"/);
    expect(xml.indexOf('<testsuite name="baseline origin/main" tests="1" failures="1"')).toBeLessThan(xml.indexOf('<testsuite name="inv"'));
    expect(xml).toContain('<property name="aigov.pValue" value="0.75"/>');
    expect(xml).toContain('<failure message="regression against origin/main: a case that passed at origin/main fails every sample now (a)">');
    expect(xml).toContain('worse: a\nbetter: b\nchanged: d</system-out>');
  });

  it('--quiet names a regressing suite even when every case passes', () => {
    const flaky = (passes: number) => run(['a', 'b', 'c'].map((id) => ({ ...c(id, true, 'ok'), samples: Array.from({ length: 5 }, (_, i) => ({ ...c(id, i < passes, 'ok').samples[0], sample: i })) })));
    const r: EvalReport = { ...flaky(1), baseline: compareRuns({ ref: 'main', commit: 'f'.repeat(40), base: flaky(5), head: flaky(1), added: [], removed: [] }) };
    expect(r.baseline!.suites[0]).toMatchObject({ test: 'fisher', worse: [], regression: true });
    expect(renderFailingCases(r, out)).toBe(`REGRESSION inv against main: 0 worse, 0 better, p = ${Number(r.baseline!.suites[0].pValue.toPrecision(4))}`);
  });
});
