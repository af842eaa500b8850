// Reverting tier-2 actions: real runs and actions logged by the governor, a real
// reversal command reading the run on stdin, a clock passed in.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../core/log/events.js';
import { serializeLock } from '../core/lock/lockfile.js';
import { promptHash } from '../core/lock/prompt-hash.js';
import type { Workspace } from '../core/workspace/workspace.js';
import { AigovError, GateError, UsageError } from '../errors.js';
import { openGovernor, type Governor } from './governor.js';
import { readWorkspace } from './read-workspace.js';
import { revertRun, type RevertOptions } from './revert.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import { resolveReview } from './review.js';

const ACTED = new Date('2026-11-24T10:00:00.000Z');
const UNTIL = '2026-11-24T12:00:00.000Z';
const at = (ms: number): Date => new Date(Date.parse(UNTIL) + ms);

const FILES: Record<string, string> = {
  'aigov.yaml': 'version: 1\nmodels:\n  fast: openai:gpt-4o-mini\n',
  'prompts/cls.yaml': 'id: cls\nversion: 1\nmodel: fast\nmessages:\n  - role: user\n    content: "Invoice: {{text}}"\nvars:\n  text: { type: string }\n',
  'automations/book.yaml': 'id: book\nname: Book\nowner: ops@example.com\ntier: 2\nprompt: cls\ndownstream: [erp]\nreversal: { window: 2h, command: [node, scripts/unbook.mjs] }\n',
  'automations/gone.yaml': 'id: gone\nname: Gone\nowner: ops@example.com\ntier: 2\nprompt: cls\ndownstream: [erp]\nreversal: { window: 2h, command: [./no-such-command] }\n',
  'automations/auto.yaml': 'id: auto\nname: Auto\nowner: ops@example.com\ntier: 3\nprompt: cls\ndownstream: [erp]\n',
  'automations/advise.yaml': 'id: advise\nname: Advise\nowner: ops@example.com\ntier: 1\nprompt: cls\ndownstream: [erp]\n',
  // Undoes the booking: keeps what it was given, or fails the way an ERP might.
  'scripts/unbook.mjs': `import { writeFileSync } from 'node:fs';
let input = '';
for await (const c of process.stdin) input += c;
const run = JSON.parse(input);
if (run.reason.includes('erp down')) { console.error('ERP refused: locked period'); process.exit(4); }
writeFileSync('unbooked.json', input);
console.log('unbooked ' + run.impacts.map((i) => i.ref).join(','));
`,
};

let root: string;
let gov: Governor;
let ws: Workspace;
/** The run log as the CLI opens it: its own handle, not the governor's. */
let log: Store;
const IDENTITY = { osUser: 'ann', host: 'desk-1', gitEmail: 'ann@example.com' };

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'aigov-revert-'));
  for (const [path, content] of Object.entries(FILES)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  ws = readWorkspace(root);
  const p = ws.prompts.get('cls')!.value;
  const models = { fast: { requested: 'openai:gpt-4o-mini', resolved: 'openai:gpt-4o-mini-2024-07-18', pinnedAt: '2026-11-01T00:00:00Z', pinnedBy: 'ops' } };
  writeFileSync(join(root, 'aigov.lock'), serializeLock({ lockfileVersion: 1, models, prompts: { cls: { version: 1, sha256: promptHash(p) } } }));
  ws = readWorkspace(root);
  gov = await openGovernor({ root, env: {}, now: () => ACTED, onWarning: () => undefined });
  log = await openStore('sqlite:.aigov/runs.db', root);
});
afterEach(async () => {
  await gov.close();
  await log.close();
  rmSync(root, { recursive: true, force: true });
});

/** A finished run of `automation`, acted on at ACTED. */
async function acted(automation: string, ref = 'INV-7'): Promise<string> {
  const h = await gov.start(automation, { text: 'ACME Power' });
  await h.finish({ output: 'utilities', confidence: 0.99 });
  if (automation === 'advise') await resolveReview(log, h.id, { decision: 'approve', reviewer: 'ann', identity: IDENTITY, now: ACTED });
  await gov.act(h.id, () => undefined, { impacts: [{ system: 'erp', ref, action: 'book' }] });
  return h.id;
}

const eventsOf = (runId: string): Promise<LoggedEvent[]> => gov.runs.events(runId);
const revert = (runId: string, now: Date, reason = 'wrong category', extra: Partial<RevertOptions> = {}) => revertRun(ws, log, runId, { by: 'ann@example.com', identity: IDENTITY, reason, now, ...extra });

describe('revertRun', () => {
  it('runs the reversal command with the run as JSON on stdin inside the window, and records the result', async () => {
    const runId = await acted('book');
    await gov.tag(runId, { system: 'erp', ref: 'INV-7-TAX', action: 'tax line' });
    const result = await revert(runId, at(0));
    expect(result).toEqual({ ok: true, exitCode: 0, stdout: 'unbooked INV-7,INV-7-TAX', stderr: '' });
    expect(JSON.parse(readFileSync(join(root, 'unbooked.json'), 'utf8'))).toEqual({
      runId,
      automation: 'book',
      output: 'utilities',
      impacts: [{ system: 'erp', ref: 'INV-7', action: 'book' }, { system: 'erp', ref: 'INV-7-TAX', action: 'tax line' }],
      actedAt: ACTED.toISOString(),
      reason: 'wrong category',
      by: 'ann@example.com',
      inDoubt: false,
    });
    const [claim, last] = (await eventsOf(runId)).slice(-2);
    const who = { by: 'ann@example.com', reason: 'wrong category', identity: IDENTITY };
    expect(claim).toMatchObject({ type: 'revert_started', automation: 'book', actor: 'ann@example.com', at: UNTIL, data: { ...who, inDoubt: false } });
    expect(last).toMatchObject({ type: 'action_reverted', automation: 'book', actor: 'ann@example.com', at: UNTIL, data: { ...who, result } });
  });

  it('refuses outside the window (exit 1), naming when it closed, and runs nothing', async () => {
    const runId = await acted('book');
    const err = await revert(runId, at(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GateError);
    expect(err).toMatchObject({ code: 'E_WINDOW_CLOSED', exitCode: 1 });
    expect((err as Error).message).toContain(UNTIL);
    expect(existsSync(join(root, 'unbooked.json'))).toBe(false);
    expect((await eventsOf(runId)).map((e) => e.type)).not.toContain('revert_started');
  });

  it.each([
    ['a tier-3 action', 'auto'],
    ['a tier-1 action', 'advise'],
  ])('refuses %s: not reversible', async (_n, automation) => {
    const runId = await acted(automation);
    await expect(revert(runId, ACTED)).rejects.toMatchObject({ name: 'GateError', code: 'E_NOT_REVERSIBLE', exitCode: 1 });
  });

  it('refuses a run that took no action, and one whose action failed', async () => {
    const h = await gov.start('book', { text: 'x' });
    await h.finish({ output: 'utilities', confidence: 1 });
    await expect(revert(h.id, ACTED)).rejects.toMatchObject({ code: 'E_NOTHING_TO_REVERT', exitCode: 1 });
    await expect(gov.act(h.id, () => { throw new Error('erp down'); }, { impacts: [{ system: 'erp', ref: 'INV-9' }] })).rejects.toThrow('erp down');
    await expect(revert(h.id, ACTED)).rejects.toMatchObject({ code: 'E_NOTHING_TO_REVERT', message: expect.stringContaining('it threw: erp down') });
    expect(existsSync(join(root, 'unbooked.json'))).toBe(false);
  });

  it('records a failing reversal command and fails with exit 3; a retry can still succeed, once', async () => {
    const runId = await acted('book');
    const err = await revert(runId, ACTED, 'erp down, retry').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AigovError);
    expect(err).toMatchObject({ code: 'E_REVERT_FAILED', exitCode: 3 });
    expect((err as Error).message).toBe('the reversal command of book failed (exit 4: ERP refused: locked period)');
    const failed = (await eventsOf(runId)).at(-1)!;
    expect(failed).toMatchObject({ type: 'action_reverted', data: { result: { ok: false, exitCode: 4, stderr: 'ERP refused: locked period' } } });

    await expect(revert(runId, ACTED, 'second try')).resolves.toMatchObject({ ok: true });
    await expect(revert(runId, ACTED, 'third try')).rejects.toMatchObject({ code: 'E_ALREADY_REVERTED' });
    expect((await eventsOf(runId)).filter((e) => e.type === 'action_reverted')).toHaveLength(2);
  });

  it('says why when the reversal command cannot even start', async () => {
    const runId = await acted('gone');
    const err = await revert(runId, ACTED).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_REVERT_FAILED', exitCode: 3 });
    expect((err as Error).message).toMatch(/failed \(it did not run to the end: .*ENOENT/);
    const last = (await eventsOf(runId)).at(-1)!;
    expect(last.data.result).toMatchObject({ ok: false, exitCode: null, stderr: expect.stringContaining('no-such-command') });
  });

  it('requires a reason, and refuses an unknown run', async () => {
    const runId = await acted('book');
    await expect(revert(runId, ACTED, ' ')).rejects.toBeInstanceOf(UsageError);
    await expect(revert('no-such-run', ACTED)).rejects.toThrow(/no run no-such-run/);
  });
});
