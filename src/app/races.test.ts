// Two processes race on one run: both read it, both are held at their first
// append until both have read, then let go at once. The store lets one write;
// the other gets a ConflictError and nothing of its own runs: one action, one
// decision, one reversal command a pair. On SQLite and on PostgreSQL.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRacer, type Racer } from '../../test/support/racer.js';
import { governedWorkspace, type Governed } from '../../test/support/governed.js';
import { storeBackends } from '../../test/support/stores.js';
import { automationYaml, configYaml, promptYaml } from '../../test/support/workspace.js';

const src = (path: string): string => JSON.stringify(pathToFileURL(fileURLToPath(new URL(path, import.meta.url))).href);

const FILES: Record<string, string> = {
  'aigov.yaml': configYaml('http://127.0.0.1:9/v1'),
  'prompts/cls.yaml': promptYaml('cls'),
  'automations/auto.yaml': automationYaml('auto', 3, 'cls', 'downstream: [erp]\nconfidence: { threshold: 0.8 }\n'),
  'automations/book.yaml': automationYaml('book', 2, 'cls', 'downstream: [erp]\nreversal: { window: 1h, command: [node, unbook.mjs] }\n'),
  'unbook.mjs': "import { appendFileSync } from 'node:fs';\nlet s = '';\nfor await (const c of process.stdin) s += c;\nappendFileSync('unbooked.log', JSON.parse(s).runId + ' ' + JSON.parse(s).by + '\\n');\n",
};

// "arm KIND RUN" starts an act, review or revert on RUN over a store that holds
// its first append, and answers "reached" once it got there; "go" lets it
// append and answers "won" or "lost CODE".
const RACER = `
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { openGovernor } from ${src('./governor.ts')};
import { readWorkspace } from ${src('./read-workspace.ts')};
import { resolveReview } from ${src('./review.ts')};
import { revertRun } from ${src('./revert.ts')};
import { openStore } from ${src('../store/open.ts')};
const [root, url, me] = process.argv.slice(2);
const store = await openStore(url, root);
let gate = null;
const held = new Proxy(store, {
  get(target, key) {
    if (key === 'append') {
      return async (events, opts) => {
        if (gate && !gate.passed) {
          gate.passed = true;
          gate.reached();
          await gate.open;
        }
        return target.append(events, opts);
      };
    }
    const v = Reflect.get(target, key, target);
    return typeof v === 'function' ? v.bind(target) : v;
  },
});
const gov = await openGovernor({ root, store: held, env: {}, actor: me, onWarning: () => {} });
const ws = readWorkspace(root);
const identity = { osUser: me, host: 'racer', gitEmail: null };
const ops = {
  act: (runId) => gov.act(runId, () => appendFileSync(join(root, 'booked.log'), runId + ' ' + me + '\\n'), { impacts: [{ system: 'erp', ref: runId }] }),
  review: (runId) => resolveReview(held, runId, { decision: me === 'ann' ? 'approve' : 'reject', reason: 'race', reviewer: me, identity, now: new Date() }),
  revert: (runId) => revertRun(ws, held, runId, { by: me, identity, reason: 'race', now: new Date() }),
};
let pending;
process.stdout.write('ready\\n');
for await (const line of createInterface({ input: process.stdin })) {
  const [verb, kind, runId] = line.split(' ');
  if (verb === 'arm') {
    let release, reached;
    const open = new Promise((r) => (release = r));
    const hit = new Promise((r) => (reached = r));
    gate = { passed: false, open, reached, release };
    pending = ops[kind](runId).then(() => 'won', (e) => 'lost ' + (e.code ?? e.message));
    process.stdout.write((await Promise.race([hit.then(() => 'reached'), pending])) + '\\n');
  } else if (verb === 'go') {
    gate.release();
    process.stdout.write((await pending) + '\\n');
  } else break;
}
await gov.close();
await store.close();
`;


const lines = (path: string): string[] => (existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n') : []);

describe.each(storeBackends('races'))('two processes racing on one run: $name', (backend) => {
  let w: Governed;
  let racers: Racer[];

  // One workspace and one pair of racers for every race here: each pair races on a fresh run.
  beforeAll(async () => {
    w = await governedWorkspace(backend, FILES);
    const script = join(w.root, 'racer.mjs');
    writeFileSync(script, RACER);
    racers = await Promise.all(['ann', 'bob'].map((me) => startRacer(script, [w.root, w.storeUrl, me])));
  });
  afterAll(async () => {
    for (const r of racers) r.child.kill();
    await w.cleanup();
  });

  /** Arms both racers on `runId`, lets them go together, and returns their outcomes sorted. */
  async function race(kind: 'act' | 'review' | 'revert', runId: string): Promise<string[]> {
    expect(await Promise.all(racers.map((r) => r.say(`arm ${kind} ${runId}`))), `${kind} ${runId}: both read the run`).toEqual(['reached', 'reached']);
    return (await Promise.all(racers.map((r) => r.say('go')))).sort();
  }

  async function finishedRun(automation: string, confidence: number): Promise<string> {
    const gov = await w.governor({ store: w.store });
    const h = await gov.start(automation, { text: 'ACME Power' });
    await h.finish({ output: 'utilities', confidence });
    return h.id;
  }

  it('two acts on one run: one acts, fn runs once, 10 pairs', { timeout: 120_000 }, async () => {
    for (let pair = 0; pair < 10; pair++) {
      const runId = await finishedRun('auto', 0.99);
      expect(await race('act', runId), `pair ${pair}`).toEqual(['lost E_CONFLICT', 'won']);
      expect(lines(join(w.root, 'booked.log')).filter((l) => l.startsWith(runId))).toHaveLength(1);
      expect((await w.store.query({ runId, types: ['action_started'] })).length).toBe(1);
    }
  });

  it('two reviewers deciding one run: one decision stands, 20 pairs', { timeout: 120_000 }, async () => {
    for (let pair = 0; pair < 20; pair++) {
      const runId = await finishedRun('auto', 0.1);
      expect(await race('review', runId), `pair ${pair}`).toEqual(['lost E_CONFLICT', 'won']);
      expect(await w.store.query({ runId, types: ['review_resolved'] })).toHaveLength(1);
    }
  });

  it('two reverts of one action: the reversal command runs once, 10 pairs', { timeout: 120_000 }, async () => {
    const gov = await w.governor({ store: w.store });
    for (let pair = 0; pair < 10; pair++) {
      const runId = await finishedRun('book', 0.99);
      await gov.act(runId, () => undefined, { impacts: [{ system: 'erp', ref: runId }] });
      expect(await race('revert', runId), `pair ${pair}`).toEqual(['lost E_CONFLICT', 'won']);
      expect(lines(join(w.root, 'unbooked.log')).filter((l) => l.startsWith(runId))).toHaveLength(1);
      expect((await w.store.query({ runId, types: ['revert_started', 'action_reverted'] })).map((e) => e.type)).toEqual(['revert_started', 'action_reverted']);
    }
  });
});
