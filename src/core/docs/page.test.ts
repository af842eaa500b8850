import { describe, expect, it } from 'vitest';
import type { Automation } from '../workspace/schemas.js';
import { INIT_GOVERNANCE } from '../workspace/placeholders.js';
import { DUTIES } from './duties.js';
import { renderIndex } from './index-page.js';
import { GENERATED_MARKER, isGeneratedPage, renderPage } from './page.js';
import type { PageInput } from './page-input.js';
import { SECTIONS } from './sections.js';

const SHA = 'a'.repeat(64);
const GOVERNANCE = {
  purpose: 'Files invoices.',
  data: 'Invoice text.',
  decisions: { autonomous: 'Books sure ones.', humanReview: 'Unsure ones wait.' },
  testing: 'A suite in CI.',
  monitoring: 'The dashboard.',
  overrideProcess: 'A clerk overrides.',
  limitations: 'One category per invoice.',
};

function automation(over: Partial<Automation> = {}): Automation {
  return { id: 'inv', name: 'Invoices', owner: 'jane@example.com', tier: 1, prompt: 'inv', evals: ['inv'], downstream: ['erp'], logInputs: false, governance: GOVERNANCE, ...over };
}

function input(over: Partial<PageInput> = {}, a: Partial<Automation> = {}): PageInput {
  return {
    file: 'automations/inv.yaml',
    automation: automation(a),
    prompt: { version: 3, sha256: SHA, model: 'fast' },
    locked: true,
    lockedPrompt: { version: 3, sha256: SHA },
    model: { name: 'fast', requested: 'openai:gpt-4o-mini', resolved: 'openai:gpt-4o-mini-2024-07-18', served: 'gpt-4o-mini-2024-07-18' },
    suites: [{ suite: 'inv', cases: 4, repeat: 1, passRate: 1 }],
    ...over,
  };
}

/** The value of one row of the "At a glance" table. */
function glance(page: string, row: string): string {
  const line = page.split('\n').find((l) => l.startsWith(`| ${row} | `));
  if (!line) throw new Error(`no row "${row}"`);
  return line.slice(`| ${row} | `.length, -' |'.length);
}

describe('renderPage: the facts', () => {
  it.each<[string, PageInput, string, string]>([
    ['no tier ledger in the lock yet', input(), 'Tier recorded', 'not yet recorded in aigov.lock (run `aigov pin`)'],
    ['the ledger entry', input({ ledger: { tier: 1, since: '2026-12-03T10:00:00Z', by: 'jane@example.com', event: '3b1e' } }), 'Tier recorded', 'tier 1 since 2026-12-03T10:00:00Z by jane@example.com, event `3b1e` (its evidence, every gate: `aigov log show 3b1e`)'],
    [
      'a tier raised by hand',
      input({ ledger: { tier: 1, since: '2026-12-03T10:00:00Z', by: 'j' } }, { tier: 2 }),
      'Tier recorded',
      'tier 1 since 2026-12-03T10:00:00Z by j. The file says tier 2, but a run gets the lower tier, 1: a tier raised by hand takes no effect (use `aigov promote`)',
    ],
    ['a tier lowered by hand', input({ ledger: { tier: 3 } }, { tier: 2 }), 'Tier recorded', 'tier 3. The file says tier 2, and a run gets the lower tier, 2'],
    ['the tier', input({}, { tier: 3 }), 'Tier', '3, autonomous: it acts and logs; people review on the cadence'],
    ['served recorded', input(), 'Model served', 'gpt-4o-mini-2024-07-18'],
    ['served not yet in the lock', input({ model: { name: 'fast', requested: 'openai:gpt-4o-mini', resolved: 'openai:gpt-4o-mini-2024-07-18' } }), 'Model served', 'not yet recorded in aigov.lock (run `aigov pin`)'],
    ['a model not pinned', input({ model: { name: 'fast', requested: 'openai:gpt-4o-mini' } }), 'Model resolved', 'not pinned in aigov.lock (run `aigov pin`)'],
    ['the prompt as locked', input(), 'Prompt hash', `sha256 \`${SHA}\` (as locked)`],
    ['a prompt edited since the lock', input({ lockedPrompt: { version: 3, sha256: 'b'.repeat(64) } }), 'Prompt hash', `sha256 \`${SHA}\` (edited since aigov.lock, which has version 3, sha256 \`${'b'.repeat(64)}\`)`],
    ['a prompt not in the lock', input({ lockedPrompt: undefined }), 'Prompt hash', `sha256 \`${SHA}\` (not in aigov.lock: run \`aigov pin\`)`],
    ['no lock at all', input({ locked: false, lockedPrompt: undefined }), 'Prompt hash', `sha256 \`${SHA}\` (there is no aigov.lock)`],
    ['a missing prompt', input({ prompt: undefined }), 'Prompt', 'inv (not found in prompts/)'],
    ['suites with their case counts', input({ suites: [{ suite: 'inv', cases: 4 }, { suite: 'one', cases: 1 }, { suite: 'gone' }] }), 'Eval suites', 'inv (4 cases), one (1 case), gone (not found in evals/)'],
    ['downstream systems', input({}, { downstream: ['erp', 'crm'] }), 'Downstream systems', 'erp, crm'],
    ['no threshold', input(), 'Confidence threshold', 'none: no run goes to review for low confidence'],
    ['a threshold', input({}, { confidence: { threshold: 0.85 } }), 'Confidence threshold', '0.85: below it, a run goes to human review'],
    ['no cadence', input(), 'Review cadence', 'not set (the review backlog gate assumes monthly)'],
    ['a cadence with an audit sample', input({}, { review: { cadence: 'weekly', sample: 0.02 } as Automation['review'] }), 'Review cadence', 'weekly; 2% of the runs it acts on are also queued for audit'],
  ])('%s', (_name, p, row, want) => {
    expect(glance(renderPage(p), row)).toBe(want);
  });

  it.each<[string, PageInput, string[]]>([
    ['tier 1', input(), ['At tier 1, aigov refuses to act on any run until a person approves it.']],
    [
      'tier 2 with notify and reversal',
      input({}, { tier: 2, confidence: { threshold: 0.9 }, notify: { command: ['node', 'n.mjs'] }, reversal: { window: '24h', command: ['node', 'r.mjs'] } }),
      [
        'At tier 2, a run at or above confidence 0.9 is acted on. Each action is notified through `node n.mjs`. Each action can be reversed within 24h by `node r.mjs`.',
        'A run whose confidence is below 0.9 (or unknown) waits in the review queue at any tier.',
        'within 24h of an action, `aigov revert RUN --reason …` runs `node r.mjs`',
      ],
    ],
    ['tier 2 without them', input({}, { tier: 2 }), ['No notify command is configured, which tier 2 requires. No reversal command is configured, which tier 2 requires.']],
    ['model mismatch: warn', input({}, { modelMismatch: 'warn' } as Partial<Automation>), ['logged, as a warning only (`modelMismatch: warn`)']],
    ['no suites', input({ suites: [] }), ['No eval suite is listed under `evals`: nothing tests a change before it ships, and `aigov promote` refuses it.']],
    ['the suite table', input({ suites: [{ suite: 'inv', cases: 4, repeat: 5, passRate: 0.955 }] }), ['| inv | 4 | 5 | 95.5% |']],
    ['promotion thresholds, defaults filled in', input({}, { promotion: { minRuns: 1, maxOverrideRate: 0.1 } as Automation['promotion'] }), ['at least 1 finished run, an error rate of at most 2%, an override rate of at most 10%, a low-confidence rate of at most 20%']],
    ['the cadence bounds the backlog', input({}, { review: { cadence: 'weekly' } }), ['a run waiting more than 7 days blocks promotion']],
    ['stop', input(), ['`aigov demote inv --reason …` lowers the tier at once']],
  ])('says how aigov enforces it: %s', (_name, p, wants) => {
    const page = renderPage(p);
    for (const want of wants) expect(page).toContain(want);
  });
});

describe('renderPage: the answers', () => {
  it('gives the five questions as sections, in order, then limitations and the duty table', () => {
    const page = renderPage(input());
    const headings = page.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual(Object.values(SECTIONS).map((s) => `## ${s}`));
    for (const text of ['Files invoices.', 'Invoice text.', '**Autonomously:** Books sure ones.', '**With human review:** Unsure ones wait.', 'A suite in CI.', 'The dashboard.', 'A clerk overrides.', 'One category per invoice.']) {
      expect(page).toContain(text);
    }
  });

  it('maps its sections to the duties, and says it is not legal advice', () => {
    const page = renderPage(input());
    for (const d of DUTIES) expect(page).toContain(`| ${d.framework} | ${d.provision} | ${d.duty} | ${d.answeredBy} |`);
    expect(DUTIES.map((d) => `${d.framework} ${d.provision}`)).toEqual([
      'EU AI Act Art. 12',
      'EU AI Act Art. 13',
      'EU AI Act Art. 14',
      'EU AI Act Art. 26',
      'EU AI Act Annex IV',
      'ISO/IEC 42001 Annex A (A.5)',
      'ISO/IEC 42001 Annex A (A.6.2.4)',
      'ISO/IEC 42001 Annex A (A.6.2.8)',
      'NIST AI RMF Govern',
      'NIST AI RMF Map',
      'NIST AI RMF Measure',
      'NIST AI RMF Manage',
    ]);
    expect(page).toContain('six months');
    expect(page.trimEnd().endsWith('This is a mapping to help, not legal advice.')).toBe(true);
    // Every link in the table points at a heading of the page.
    const anchors = new Set(page.split('\n').filter((l) => l.startsWith('## ')).map((l) => `#${l.slice(3).toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').trim().replace(/\s/g, '-')}`));
    const links = [...page.matchAll(/\]\((#[^)]+)\)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(20);
    for (const link of links) expect(anchors).toContain(link);
  });

  it.each<[string, Partial<Automation>, string[]]>([
    ['a missing answer', { governance: { ...GOVERNANCE, testing: undefined } }, ['*Not answered yet: add `governance.testing` in automations/inv.yaml.*', '1 of 8 governance answers are missing']],
    ['the init placeholder', { governance: { ...GOVERNANCE, purpose: INIT_GOVERNANCE.purpose } }, ['*Not answered: `governance.purpose` in automations/inv.yaml is still the example text `aigov init` wrote.*']],
    ['no governance at all', { governance: undefined }, ['8 of 8 governance answers are missing', '**Autonomously:** *Not answered yet: add `governance.decisions.autonomous`']],
  ])('marks %s instead of showing it', (_name, a, wants) => {
    const page = renderPage(input({}, a));
    for (const want of wants) expect(page).toContain(want);
    expect(page).not.toContain(INIT_GOVERNANCE.purpose);
  });

  it('keeps paragraphs and code spans of an answer', () => {
    const page = renderPage(input({}, { governance: { ...GOVERNANCE, overrideProcess: 'A clerk overrides.\n\nOr reverts with `aigov revert RUN`.' } }));
    expect(page).toContain('A clerk overrides.\n\nOr reverts with `aigov revert RUN`.');
  });
});

describe('renderPage: hostile files', () => {
  const evil = '# Owned\n\n<img src=x onerror=alert(1)>\n\n| a | b |\n\n- [x](javascript:alert(1)) $x$ ---';
  const page = renderPage(
    input(
      { model: { name: 'fast', requested: 'openai:a|b', resolved: 'openai:<b>x</b>', served: 'x`y|z' }, ledger: { tier: 1, since: '<i>', by: '# me | you', event: 'e|`' } },
      {
        name: '<script>alert(1)</script> | #',
        owner: 'x | <b>y</b>',
        governance: { purpose: evil, data: evil, decisions: { autonomous: evil, humanReview: evil }, testing: evil, monitoring: evil, overrideProcess: evil, limitations: evil },
        reversal: { window: '24h', command: ['node', '`x`', 'a|b'] },
        tier: 2,
      },
    ),
  );
  const lines = page.split('\n');

  it('opens no HTML tag: the only "<" is the generated marker', () => {
    expect(lines.filter((l) => l.includes('<'))).toEqual([GENERATED_MARKER]);
  });

  it('starts no heading, list or quote of its own', () => {
    const ours = new Set([`# ${'&lt;script&gt;alert(1)&lt;/script&gt; \\| \\#'}`, ...Object.values(SECTIONS).map((s) => `## ${s}`), '### Testing', '### Monitoring']);
    expect(lines.filter((l) => /^#/.test(l) && !ours.has(l))).toEqual([]);
    const listItems = lines.filter((l) => /^[-+*] /.test(l));
    expect(listItems.every((l) => /^- (At tier|A run|No confidence|An answer|The review queue|Reversal|Stop|Exceptions)/.test(l))).toBe(true);
    expect(lines.filter((l) => /^>/.test(l))).toEqual([]);
  });

  it('keeps every table row to its columns: no bare "|" from a value', () => {
    const bare = (l: string) => l.replace(/\\\\/g, '').replace(/\\\|/g, '').split('|').length - 1;
    for (const l of lines.filter((x) => x.startsWith('| '))) expect([3, 5]).toContain(bare(l));
  });

  it('makes no link or math from an answer', () => {
    expect(page).toContain('\\[x\\](javascript');
    expect(page).not.toMatch(/[^\\]\]\(javascript/);
    expect(page).not.toMatch(/(^|[^\\])\$x/);
  });
});

describe('renderPage and renderIndex: deterministic', () => {
  it('gives the same bytes for the same input, with one newline at the end', () => {
    const a = renderPage(input());
    expect(renderPage(structuredClone(input()))).toBe(a);
    expect(a.endsWith('\n') && !a.endsWith('\n\n')).toBe(true);
    expect(isGeneratedPage(a)).toBe(true);
    expect(isGeneratedPage(`\uFEFF${a}`)).toBe(true);
    expect(isGeneratedPage('# My own notes\n')).toBe(false);
  });

  it('indexes every automation with a link to its page', () => {
    const index = renderIndex([input(), input({}, { id: 'tick', name: 'Tickets | <b>', governance: undefined, tier: 3 })]);
    expect(index).toContain('| [Invoices](inv.md) | jane@example.com | 1 | inv v3 | openai:gpt-4o-mini-2024-07-18 | erp | all |');
    expect(index).toContain('| [Tickets \\| &lt;b&gt;](tick.md) | jane@example.com | 3 | inv v3 | openai:gpt-4o-mini-2024-07-18 | erp | 0 of 8 |');
    expect(index).toContain('This is a mapping to help, not legal advice.');
    expect(renderIndex([])).toContain('There are no automations in this workspace yet.');
  });
});
