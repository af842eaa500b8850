// Commands with a context handed to main(): a fixed clock, fixed ids, an
// environment and an identity as a table, and a terminal that is two strings.
// No process global is read, so the output and the events are known exactly
// (against a real model server, a real SQLite run log and real files).
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startModelServer, type ModelServer } from '../../test/support/model-server.mjs';
import { classifierFiles, tempWorkspace } from '../../test/support/workspace.js';
import { createContext, type Context } from '../app/context.js';
import type { Identity } from '../app/identity.js';
import { openStore } from '../store/open.js';
import { main } from './main.js';

const NOW = new Date('2026-11-24T10:00:00.000Z');
const MACHINE = { osUser: 'ann', host: 'desk-2', gitEmail: 'ann@example.com' };
/** Who acts, as a table: the name given (--as), else ann. */
const IDENTITY: Identity = {
  name: async (_root, explicit) => explicit ?? 'ann@example.com',
  recorded: async () => MACHINE,
  reviewer: async (_root, explicit) => ({ name: explicit ?? 'ann@example.com', identity: MACHINE }),
};

const BOT = `id: bot
name: Invoice bot
owner: jane@example.com
tier: 1   # raised only by aigov promote
prompt: inv
evals: [inv]
downstream: [erp]
reversal: { window: 24h, command: [node, undo.mjs] }
notify: { command: [node, tell.mjs] }
governance:
  purpose: Books supplier invoices.
  data: Invoice text.
  decisions: { autonomous: Nothing at tier 1; at tier 2 it books what it is sure of., humanReview: Everything under 80% confidence. }
  testing: The inv suite.
  monitoring: Rates, weekly.
  overrideProcess: Override in review.
  limitations: One category per invoice.
`;

class Captured extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

let server: ModelServer;
let w: ReturnType<typeof tempWorkspace>;
beforeAll(async () => {
  server = await startModelServer({});
  w = tempWorkspace({ ...classifierFiles({ baseURL: server.openaiBaseURL }), 'automations/bot.yaml': BOT });
});
afterAll(async () => {
  await server.close();
  w.cleanup();
});

/** One command through main() with the table; the workspace found through AIGOV_ROOT in the table's environment, from another folder. */
async function aigov(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Captured();
  const stderr = new Captured();
  const ctx: Context = createContext({ clock: () => NOW, ids: () => 'unused', env: { AIGOV_ROOT: w.root, TEST_OPENAI_KEY: 'sk-test' }, cwd: tmpdir(), identity: IDENTITY, terminal: { stdout, stderr } });
  const before = process.exitCode;
  try {
    const code = await main(['node', 'aigov', ...args], '0.0.0-test', ctx);
    return { code, stdout: stdout.text, stderr: stderr.text };
  } finally {
    process.exitCode = before;
  }
}

describe('main(argv, version, context)', () => {
  it('pin: the lock and the model_pinned event carry the table’s time and name', async () => {
    const r = await aigov('pin', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ models: [{ name: 'fast', to: 'openai:gpt-4o-mini-2024-07-18' }], written: true });
    expect(readFileSync(join(w.root, 'aigov.lock'), 'utf8')).toContain(
      '  fast:\n    requested: openai:gpt-4o-mini\n    resolved: openai:gpt-4o-mini-2024-07-18\n    served: gpt-4o-mini-2024-07-18\n    pinnedAt: 2026-11-24T10:00:00Z\n    pinnedBy: ann@example.com\n',
    );
    expect(readFileSync(join(w.root, 'aigov.lock'), 'utf8')).toContain('  bot:\n    tier: 1\n    since: 2026-11-24T10:00:00Z\n    by: ann@example.com\n    event: null\n');
    const store = await openStore(undefined, w.root);
    try {
      const [pinned] = await store.query({ types: ['model_pinned'] });
      expect({ at: pinned.at, actor: pinned.actor, by: pinned.data.by }).toEqual({ at: NOW.toISOString(), actor: 'ann@example.com', by: 'ann@example.com' });
    } finally {
      await store.close();
    }
  });

  it('promote --force: exact output, and the tier_changed event with the table’s time and identity', async () => {
    const r = await aigov('promote', 'bot', '--to', '2', '--force', '--reason', 'adopted as it runs');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('promoted bot to tier 2 (forced: 2 gates failed: evals, runs): logged tier_changed #2; wrote automations/bot.yaml and aigov.lock\n');
    expect(r.stdout.split('\n')[0]).toBe('promote bot: tier 1 -> 2, evidence from runs since 2026-11-24T10:00:00Z');

    const store = await openStore(undefined, w.root);
    let hash: string;
    try {
      const [changed] = await store.query({ types: ['tier_changed'] });
      hash = changed.hash;
      expect({ seq: changed.seq, at: changed.at, automation: changed.automation, runId: changed.runId, actor: changed.actor }).toEqual({ seq: 2, at: NOW.toISOString(), automation: 'bot', runId: null, actor: 'ann@example.com' });
      expect(changed.data).toMatchObject({ from: 1, to: 2, reason: 'adopted as it runs', by: 'ann@example.com', identity: MACHINE, forced: true, failing: ['evals', 'runs'] });
    } finally {
      await store.close();
    }
    expect(readFileSync(join(w.root, 'aigov.lock'), 'utf8')).toContain(`  bot:\n    tier: 2\n    since: 2026-11-24T10:00:00Z\n    by: ann@example.com\n    event: ${hash}\n`);

    // The lock's event, shown: the table's time and name, and the machine's facts as the table gave them.
    const shown = await aigov('log', 'show', hash);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`#2 tier_changed at 2026-11-24T10:00:00.000Z, automation bot, actor ann@example.com\n`);
    expect(shown.stdout).toContain('\n\nbot: tier 1 -> 2 by ann@example.com; in effect: aigov.lock names this event\n  reason: adopted as it runs\n  forced past failing gates: evals, runs\n  recorded beside it: OS login ann, host desk-2, git user.email ann@example.com\n');
  });

  it('runs --stale reads the table’s clock; --json streams to the table’s terminal', async () => {
    const store = await openStore(undefined, w.root);
    try {
      const started = (runId: string, at: string) => ({ type: 'run_started' as const, automation: 'bot', runId, actor: 'svc', at, data: { inputFingerprint: { alg: 'sha256', value: 'x'.repeat(64) }, triggeredBy: null, tier: 1, prompt: { id: 'inv', version: 1, sha256: 'a'.repeat(64) }, model: { requested: 'openai:gpt-4o-mini', resolved: 'openai:gpt-4o-mini-2024-07-18' } } });
      await store.append([started('r-old', '2026-11-24T07:00:00.000Z'), started('r-new', '2026-11-24T09:30:00.000Z')]);
    } finally {
      await store.close();
    }
    const r = await aigov('runs', '--stale', '1h', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((x: { runId: string }) => x.runId)).toEqual(['r-old']);
    const two = await aigov('runs', '--stale', '2h', '--json');
    expect(JSON.parse(two.stdout).map((x: { runId: string }) => x.runId)).toEqual(['r-old']);
    const none = await aigov('runs', '--stale', '4h', '--json');
    expect(none.stdout).toBe('[]\n');
  });

  it('an error goes to the table’s terminal with its code, and main returns the exit code', async () => {
    const r = await aigov('promote', 'nobot', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'E_USAGE', message: 'unknown automation "nobot"' });
    const usage = await aigov('promote');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe("error E_USAGE: missing required argument 'automation'\n");
  });
});
