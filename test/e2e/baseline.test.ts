// `aigov eval --baseline REF` through the built binary, in a git repository the
// test makes, against the wire-format model server: a prompt edit on a branch
// compared with main, case by case, with the exact test's p-value.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fisherExact, mcnemarExact } from '../../dist/core/stats/paired.js';
import { startModelServer, type ModelServer, type ModelServerRequest } from '../support/model-server.mjs';
import { aigov } from '../support/cli.js';
import { gitRepo, type TestRepo } from '../support/git-repo.js';
import { configYaml } from '../support/workspace.js';

const CATEGORY: Record<string, string> = { power: 'utilities', water: 'utilities', flight: 'travel', hotel: 'travel', laptop: 'software', chairs: 'other', taxi: 'travel' };
/** Per system message and invoice: how many times it was asked, for the prompt whose answers drift. */
const asked = new Map<string, number>();

/** The "model": the category of the invoice, bent by what the system message says. */
function answer(req: ModelServerRequest): string {
  const system = req.messages[0].content;
  const text = /(\w+)$/.exec(req.messages.at(-1)!.content)?.[1] ?? '';
  let category = CATEGORY[text] ?? 'other';
  if (system.includes('Bills are other.') && (text === 'power' || text === 'flight')) category = 'other';
  if (system.includes('Everything is transport.')) category = 'transport';
  if (system.includes('Be creative.')) {
    const key = `${system}\n${text}`;
    asked.set(key, (asked.get(key) ?? 0) + 1);
    if (asked.get(key)! > 1) category = 'misc';
  }
  return system.includes('In a sentence.') ? `It is ${category}.` : category;
}

let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer({ answer });
});
afterAll(() => server.close());
let repos: TestRepo[] = [];
afterEach(() => {
  repos.forEach((r) => r.cleanup());
  repos = [];
});

const prompt = (version: number, system: string): string => `id: inv
version: ${version}
model: fast
params: { temperature: 0 }
messages:
  - role: system
    content: ${JSON.stringify(system)}
  - role: user
    content: "Invoice: {{text}}"
vars:
  text: { type: string }
`;

/** A suite whose cases pass when the answer contains the expected category, whatever the wording around it. */
const suite = (expect: Record<string, string>, head = ''): string =>
  `suite: inv\nprompt: inv\n${head}cases:\n${Object.entries(expect)
    .map(([text, want]) => `  - id: ${text}\n    vars: { text: ${text} }\n    assert: [{ type: icontains, value: ${want} }]\n`)
    .join('')}`;

const FOUR = { power: 'utilities', flight: 'travel', chairs: 'other', laptop: 'software' };

/** main: version 1 of the prompt, pinned and committed; then a branch `change`. */
async function workspace(expect: Record<string, string> = FOUR, suiteHead = ''): Promise<TestRepo> {
  const r = gitRepo({ 'aigov.yaml': configYaml(server.openaiBaseURL), 'prompts/inv.yaml': prompt(1, 'One word.'), 'evals/inv.yaml': suite(expect, suiteHead), '.gitignore': '.aigov/\n*.md\n*.xml\n' });
  repos.push(r);
  const pin = await aigov(['pin'], { cwd: r.dir, env: r.env });
  if (pin.exitCode !== 0) throw new Error(`pin failed: ${pin.stderr}`);
  r.commit('version 1');
  r.git('checkout', '-q', '-b', 'change');
  return r;
}

/** The prompt edited on the branch (a version bump, repinned so the lock is current) and committed. */
async function edit(r: TestRepo, system: string, version = 2): Promise<void> {
  r.write('prompts/inv.yaml', prompt(version, system));
  const pin = await aigov(['pin'], { cwd: r.dir, env: r.env });
  if (pin.exitCode !== 0) throw new Error(`pin failed: ${pin.stderr}`);
  r.commit(`version ${version}`);
}

const completions = (): number => server.requests.filter((q) => q.path.endsWith('/chat/completions')).length;
const run = (r: TestRepo, args: string[], env: NodeJS.ProcessEnv = {}) => aigov(['eval', ...args], { cwd: r.dir, env: { ...r.env, ...env } });

describe('aigov eval --baseline', () => {
  it('a prompt edit that breaks two cases fails against main (exit 1), naming both, in every format', async () => {
    const r = await workspace();
    await edit(r, 'One word. Bills are other.');
    const summary = join(r.dir, 'summary.md');
    writeFileSync(summary, '');
    const json = await run(r, ['--baseline', 'main', '--json', '-o', 'comment.md'], { GITHUB_STEP_SUMMARY: summary });
    expect(json.exitCode, json.stderr).toBe(1);
    const report = JSON.parse(json.stdout);
    const main = r.git('rev-parse', 'main').trim();
    expect(report.baseline).toMatchObject({ ref: 'main', commit: main, added: [], removed: [] });
    expect(report.baseline.suites).toHaveLength(1);
    const inv = report.baseline.suites[0];
    expect(inv).toMatchObject({ suite: 'inv', worse: ['power', 'flight'], better: [], changed: [], broken: ['power', 'flight'], test: 'mcnemar', counts: { worse: 2, better: 0 }, regression: true });
    expect(inv.base).toMatchObject({ prompt: { version: 1 }, cases: 4, passed: 4 });
    expect(inv.head).toMatchObject({ prompt: { version: 2 }, cases: 4, passed: 2 });
    expect(inv.cases).toContainEqual({ id: 'power', base: 'pass', head: 'fail', outputChanged: true });
    expect(inv.cases).toContainEqual({ id: 'chairs', base: 'pass', head: 'pass', outputChanged: false });
    // The report's own run is the head's; the base run is inside, with its outputs.
    expect(report.suites[0].prompt.version).toBe(2);
    expect(report.baseline.base.suites[0].cases.find((c: { id: string }) => c.id === 'power').samples[0].output).toBe('utilities');
    expect(json.stderr).toContain(`base main (${main.slice(0, 12)}): inv`);

    const table = await run(r, ['--baseline', 'main']);
    expect(table.exitCode).toBe(1);
    // The comparison comes first, before the deviations and the summary table.
    expect(table.stdout.split('\n').slice(0, 5)).toEqual([
      `against main (${main.slice(0, 12)}): inv`,
      'WORSE   inv/power   "utilities" → "other"',
      'WORSE   inv/flight  "travel" → "other"',
      "inv: 4/4 (100%) passed at main, 2/4 (50%) now; McNemar's exact test on 4 paired cases: 2 worse, 0 better; one-sided p = 0.25",
      'REGRESSION inv: 2 cases that passed at main fail every sample now (power, flight)',
    ]);
    expect(table.stdout.indexOf('FAIL inv/power')).toBeGreaterThan(table.stdout.indexOf('REGRESSION'));

    const markdown = readFileSync(join(r.dir, 'comment.md'), 'utf8');
    expect(markdown.split('\n')[0]).toBe('## aigov eval --baseline `main`: ❌ 2 cases got worse');
    expect(markdown).toContain('| inv | 4/4 (100%) | 2/4 (50%) | 2 | 0 | 0 | 0.25 (McNemar) | ❌ 2 cases that passed at main fail every sample now (power, flight) |');
    expect(markdown).toContain('| inv/power | ✅ `utilities` | ❌ `other` |');
    expect(markdown).toContain('| inv/flight | ✅ `travel` | ❌ `other` |');
    expect(markdown.indexOf('### Worse')).toBeLessThan(markdown.indexOf('<details>'));
    expect(readFileSync(summary, 'utf8')).toBe(`${markdown}`);

    // As a CI step runs it: annotations on stdout, the comment body in a file, the step summary appended.
    writeFileSync(summary, '');
    const github = await run(r, ['--baseline', 'main', '--format', 'github', '-o', 'pr-comment.md'], { GITHUB_STEP_SUMMARY: summary });
    expect(github.exitCode).toBe(1);
    expect(readFileSync(join(r.dir, 'pr-comment.md'), 'utf8').replace(/ [\d.]+m?s /g, ' ')).toBe(markdown.replace(/ [\d.]+m?s /g, ' '));
    expect(readFileSync(join(r.dir, 'pr-comment.md'), 'utf8')).toBe(readFileSync(summary, 'utf8'));
    const lines = github.stdout.split('\n');
    expect(lines[0]).toBe('::error file=evals/inv.yaml,line=4,title=worse against main%3A inv/power::at main: pass "utilities"%0Anow: fail "other"');
    expect(lines[1]).toMatch(/^::error file=evals\/inv.yaml,line=7,title=worse against main%3A inv\/flight::/);
    expect(lines[2]).toMatch(/^::error file=evals\/inv.yaml,title=regression against main%3A inv::2 cases that passed at main fail every sample now \(power, flight\)\. 4\/4/);
    expect(lines.findIndex((l) => l.includes('title=deviation'))).toBeGreaterThan(2);

    const junit = await run(r, ['--baseline', 'main', '--format', 'junit']);
    expect(junit.stdout).toMatch(/<testsuite name="baseline main" tests="1" failures="1"/);
    expect(junit.stdout).toContain('<failure message="regression against main: 2 cases that passed at main fail every sample now (power, flight)">');
    expect(junit.stdout.indexOf('baseline main')).toBeLessThan(junit.stdout.indexOf('<testsuite name="inv"'));

    // --quiet still names what failed.
    const quiet = await run(r, ['--baseline', 'main', '--quiet']);
    expect(quiet.stdout.split('\n')).toEqual(['REGRESSION inv against main: 2 worse, 0 better, p = 0.25', 'FAIL inv/power  evals/inv.yaml:4', 'FAIL inv/flight  evals/inv.yaml:7']);
  });

  it('an edit that changes the wording but keeps every case passing passes (exit 0) and lists the changed outputs', async () => {
    const r = await workspace();
    await edit(r, 'One word. In a sentence.');
    const json = await run(r, ['--baseline', 'main', '--json', '-o', 'comment.md']);
    expect(json.exitCode, json.stderr).toBe(0);
    const inv = JSON.parse(json.stdout).baseline.suites[0];
    expect(inv).toMatchObject({ worse: [], better: [], changed: ['power', 'flight', 'chairs', 'laptop'], broken: [], pValue: 1, regression: false });
    const markdown = readFileSync(join(r.dir, 'comment.md'), 'utf8');
    expect(markdown.split('\n')[0]).toBe('## aigov eval --baseline `main`: ✅ no regression, 4 outputs changed');
    expect(markdown).toContain('### Output changed, both pass (4)');
    expect(markdown).toContain('| inv/power | ✅ `utilities` | ✅ `It is utilities.` |');
    expect(markdown).not.toContain('### Worse');
    const table = await run(r, ['--baseline', 'main']);
    expect(table.stdout).toContain('CHANGED inv/chairs  "other" → "It is other."');
    expect(table.stdout).toContain('one-sided p = 1');
    expect(table.stdout).not.toContain('REGRESSION');
  });

  it('prints the p-value of McNemar\'s exact test on the discordant pairs', async () => {
    // taxi fails at main (it is transport, not travel) and passes at head; the other six break.
    const r = await workspace({ power: 'utilities', water: 'utilities', flight: 'travel', hotel: 'travel', laptop: 'software', chairs: 'other', taxi: 'transport' });
    await edit(r, 'One word. Everything is transport.');
    const json = await run(r, ['--baseline', 'main', '--json']);
    expect(json.exitCode).toBe(1);
    const inv = JSON.parse(json.stdout).baseline.suites[0];
    expect(inv).toMatchObject({ test: 'mcnemar', counts: { worse: 6, better: 1 }, better: ['taxi'] });
    expect(inv.worse).toHaveLength(6);
    expect(inv.pValue).toBe(mcnemarExact(6, 1));
    expect(Math.abs(inv.pValue - 8 / 128)).toBeLessThan(1e-15);
    const table = await run(r, ['--baseline', 'main']);
    expect(table.stdout).toContain("McNemar's exact test on 7 paired cases: 6 worse, 1 better; one-sided p = 0.0625");
    expect(table.stdout).toContain('BETTER  inv/taxi    "travel" → "transport"');
  });

  it('with repeats, a drop on every case that Fisher\'s exact test calls significant fails the gate although every case passes its pass rate', async () => {
    // Three samples a case, one of which must pass; at head only the first answer of each is right.
    const r = await workspace(FOUR, 'repeat: 3\npassRate: 0.3\n');
    await edit(r, 'One word. Be creative.');
    const json = await run(r, ['--baseline', 'main', '--json']);
    expect(json.exitCode, json.stderr).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.totals).toMatchObject({ cases: 4, passed: 4, failed: 0 });
    const inv = report.baseline.suites[0];
    expect(inv).toMatchObject({ test: 'fisher', counts: { base: { pass: 12, fail: 0 }, head: { pass: 4, fail: 8 } }, worse: [], broken: [], regression: true });
    expect(inv.base.samples).toEqual({ passed: 12, total: 12 });
    expect(inv.pValue).toBe(fisherExact(inv.counts));
    // C(12,12) C(12,4) / C(24,16)
    expect(Math.abs(inv.pValue - 495 / 735471)).toBeLessThan(1e-15);
    const md = await run(r, ['--baseline', 'main', '--format', 'markdown']);
    expect(md.stdout.split('\n')[0]).toBe('## aigov eval --baseline `main`: ❌ a significant drop');
    expect(md.stdout).toContain('| 0.000673 (Fisher) | ❌ the drop is significant (p = 0.000673 &lt; 0.05) |');
    expect(md.stdout).toContain('| inv/power | ✅ `utilities` (3/3 samples pass) | ✅ `utilities` (1/3 samples pass) |');
  });

  it('the base run is served from the cache the next time: only the edited head calls the model', async () => {
    const r = await workspace();
    await edit(r, 'One word. Bills are other.');
    const before = completions();
    expect((await run(r, ['--baseline', 'main', '--json'])).exitCode).toBe(1);
    expect(completions() - before).toBe(8);
    // A second edit of the head: the base is what it was, and the cache has it.
    await edit(r, 'One word. Bills are other. In a sentence.', 3);
    const second = completions();
    const json = await run(r, ['--baseline', 'main', '--json']);
    expect(json.exitCode).toBe(1);
    const sent = server.requests.slice(-(completions() - second)).filter((q) => q.path.endsWith('/chat/completions'));
    expect(sent).toHaveLength(4);
    for (const q of sent) expect(q.body.messages[0].content).toContain('In a sentence.');
    const report = JSON.parse(json.stdout);
    expect(report.baseline.base.suites[0].cases.flatMap((c: { samples: { source: string }[] }) => c.samples.map((x) => x.source))).toEqual(['cache', 'cache', 'cache', 'cache']);
    expect(report.suites[0].cases.flatMap((c: { samples: { source: string }[] }) => c.samples.map((x) => x.source))).toEqual(['live', 'live', 'live', 'live']);
  });

  it('runs from committed recordings of both versions with --replay: no request, no key', async () => {
    const r = await workspace();
    expect((await run(r, ['--record'])).exitCode).toBe(0);
    r.git('checkout', '-q', 'main');
    r.commit('recordings of version 1');
    r.git('checkout', '-q', 'change');
    r.git('merge', '-q', 'main');
    await edit(r, 'One word. Bills are other.');
    expect((await run(r, ['--record'])).exitCode).toBe(1);
    r.commit('recordings of version 2');
    const before = server.requests.length;
    const json = await run(r, ['--baseline', 'main', '--replay', '--json'], { TEST_OPENAI_KEY: undefined });
    expect(json.exitCode, json.stderr).toBe(1);
    expect(server.requests.length).toBe(before);
    const report = JSON.parse(json.stdout);
    expect(report.mode).toBe('replay');
    expect(report.baseline.suites[0]).toMatchObject({ worse: ['power', 'flight'], broken: ['power', 'flight'] });
    const sources = [...report.baseline.base.suites[0].cases, ...report.suites[0].cases].flatMap((c: { samples: { source: string }[] }) => c.samples.map((x) => x.source));
    expect(new Set(sources)).toEqual(new Set(['replay']));

    // The branch's fixtures recorded afresh, holding the head's answers alone: the base's are committed at main.
    r.remove('fixtures');
    expect((await run(r, ['--record'])).exitCode).toBe(1);
    expect(readFileSync(join(r.dir, 'fixtures/inv.yaml'), 'utf8')).not.toContain('content: One word.\n');
    r.commit('recorded afresh');
    const again = await run(r, ['--baseline', 'main', '--replay', '--json'], { TEST_OPENAI_KEY: undefined });
    expect(again.exitCode, again.stderr).toBe(1);
    expect(JSON.parse(again.stdout).baseline.suites[0]).toMatchObject({ worse: ['power', 'flight'] });
    expect(server.requests.length).toBe(before + 4);

    // --baseline --record records both sides into the working tree's fixtures.
    r.remove('fixtures');
    expect((await run(r, ['--baseline', 'main', '--record'])).exitCode).toBe(1);
    const recorded = readFileSync(join(r.dir, 'fixtures/inv.yaml'), 'utf8');
    expect(recorded.match(/content: One word\.\n/g)).toHaveLength(4);
    expect(recorded.match(/content: One word\. Bills are other\.\n/g)).toHaveLength(4);
  });

  it('records both runs as evidence, the base under its own commit', async () => {
    const r = await workspace();
    await edit(r, 'One word. In a sentence.');
    expect((await run(r, ['--baseline', 'main'])).exitCode).toBe(0);
    const history = await aigov(['prompt', 'history', 'inv', '--json'], { cwd: r.dir, env: r.env });
    expect(history.exitCode, history.stderr).toBe(0);
    const versions = JSON.parse(history.stdout).versions;
    const one = versions.find((v: { version: number }) => v.version === 1);
    const two = versions.find((v: { version: number }) => v.version === 2);
    expect(one.evals).toEqual([expect.objectContaining({ suite: 'inv', runs: 1, passedRuns: 1, last: expect.objectContaining({ commit: r.git('rev-parse', 'main').trim(), passRate: 1 }) })]);
    expect(two.evals).toEqual([expect.objectContaining({ suite: 'inv', runs: 1, last: expect.objectContaining({ commit: r.git('rev-parse', 'HEAD').trim() }) })]);
  });

  it('nothing touched: nothing runs, exit 0', async () => {
    const r = await workspace();
    const before = server.requests.length;
    const json = await run(r, ['--baseline', 'main', '--json']);
    expect(json.exitCode, json.stderr).toBe(0);
    expect(json.stderr).toContain('no suite changed since main: nothing to compare');
    expect(JSON.parse(json.stdout).baseline).toMatchObject({ ref: 'main', suites: [], added: [] });
    expect(server.requests.length).toBe(before);
    // A suite named runs both ways all the same; the two sides send the same requests, so the head is the cache's.
    const named = await run(r, ['inv', '--baseline', 'main', '--json']);
    expect(named.exitCode, named.stderr).toBe(0);
    const report = JSON.parse(named.stdout);
    expect(report.baseline.suites[0]).toMatchObject({ suite: 'inv', worse: [], better: [], changed: [], pValue: 1 });
    expect(report.suites[0].cases.map((c: { samples: { source: string }[] }) => c.samples[0].source)).toEqual(['cache', 'cache', 'cache', 'cache']);
    expect(server.requests.length).toBe(before + 4);
  });

  it('refuses a ref that is not a commit (exit 2, E_UNKNOWN_REF), and names the ref in the errors of the base workspace', async () => {
    const r = await workspace();
    const unknown = await run(r, ['--baseline', 'no-such-branch']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('E_UNKNOWN_REF: --baseline: "no-such-branch" is not a commit in this repository');
    const json = await run(r, ['--baseline', 'no-such-branch', '--json']);
    expect(JSON.parse(json.stdout).error.code).toBe('E_UNKNOWN_REF');
    // A commit whose prompt file is broken.
    r.write('prompts/inv.yaml', 'id: inv\nversion: [oops\n');
    r.commit('broken');
    r.git('tag', 'broken');
    await edit(r, 'One word.', 2);
    const bad = await run(r, ['--baseline', 'broken']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^broken:prompts\/inv\.yaml:\d+:\d+ error invalid YAML/m);
    expect(bad.stderr).toContain('error E_INVALID: 1 error in the workspace at broken (the --baseline ref): nothing was run or written');
    expect((await run(r, ['--baseline', 'main', '--shard', '1/2'])).stderr).toContain('--baseline does not go with --shard');
    expect((await run(r, ['--baseline', 'main', '--changed-since', 'main'])).exitCode).toBe(2);
    const merge = await run(r, ['--merge', 'shard-1.json', '--baseline', 'main']);
    expect(merge.exitCode).toBe(2);
    expect(merge.stderr).toContain('--merge runs nothing: --baseline does not go with it');
  });

  it('a ref from before the workspace existed: every suite is new and gates as a plain eval; a base that is not locked names its ref', async () => {
    const r = await workspace();
    r.git('checkout', '-q', '--orphan', 'before');
    r.git('rm', '-rqf', '.');
    r.write('README.md', 'nothing here yet\n');
    r.commit('before aigov');
    r.git('checkout', '-q', '-f', 'change');
    const json = await run(r, ['--baseline', 'before', '--json']);
    expect(json.exitCode, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.baseline).toMatchObject({ ref: 'before', suites: [], added: ['inv'], removed: [] });
    expect(report.totals).toMatchObject({ cases: 4, passed: 4 });
    expect((await run(r, ['--baseline', 'before', '--format', 'markdown'])).stdout).toContain('New suites, nothing to compare at `before` (gated as a plain eval): inv.');

    // A commit whose lock pins nothing: its suite cannot run as that commit would have.
    r.write('aigov.lock', readFileSync(join(r.dir, 'aigov.lock'), 'utf8').replace(/^models:\n(?: .*\n)+/m, 'models: {}\n'));
    r.commit('lock emptied');
    r.git('tag', 'unpinned');
    await edit(r, 'One word.', 2);
    const unpinned = await run(r, ['--baseline', 'unpinned']);
    expect(unpinned.exitCode, unpinned.stderr).toBe(1);
    expect(unpinned.stderr).toContain('E_UNLOCKED: --baseline unpinned: at unpinned, model "fast" not locked in aigov.lock');
  });
});
