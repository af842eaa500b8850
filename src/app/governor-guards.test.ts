// Attacks on the library, each on SQLite and on PostgreSQL: an automation that
// reaches for the store to approve its own run, confidences that are not
// confidences, fingerprints of short inputs, error messages that quote inputs
// an automation does not log, and a run finished after a person closed it.
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KEY, governedWorkspace, type Governed } from '../../test/support/governed.js';
import { startModelServer, type ModelServer } from '../../test/support/model-server.mjs';
import { storeBackends } from '../../test/support/stores.js';
import { automationYaml, configYaml, promptYaml } from '../../test/support/workspace.js';
import { hashOf } from '../core/canonical.js';
import { ConflictError, TierError, UsageError } from '../errors.js';
import { closeRun } from './close-run.js';
import { Governor } from './governor.js';

const INPUT_KEY = 'a-secret-of-at-least-32-characters-0123';
const IBAN = 'DE89370400440532013000';
const EMAIL = 'ann.bauer@example.com';
const IDENTITY = { osUser: 'ann', host: 'desk-1', gitEmail: 'ann@example.com' };

function files(baseURL: string): Record<string, string> {
  return {
    'aigov.yaml': configYaml(baseURL, '{ concurrency: 4, timeoutMs: 5000, retries: 0 }'),
    'prompts/cls.yaml': promptYaml('cls', { output: '{ type: text, confidence: logprobs }' }),
    'prompts/plain.yaml': promptYaml('plain', { user: 'Plain: {{text}}', output: '{ type: text, confidence: none }' }),
    'automations/advise.yaml': automationYaml('advise', 1, 'cls', 'downstream: [erp]\nconfidence: { threshold: 0.8 }\n'),
    'automations/auto.yaml': automationYaml('auto', 3, 'cls', 'downstream: [erp]\nconfidence: { threshold: 0.8 }\n'),
    // No threshold at all: even so, a run without a confidence must not be auto.
    'automations/plain.yaml': automationYaml('plain', 3, 'plain', 'downstream: [erp]\n'),
    'automations/logged.yaml': automationYaml('logged', 3, 'cls', 'downstream: [erp]\nlogInputs: true\n'),
  };
}

let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer({
    answer: (req) => {
      const user = req.messages.at(-1)!.content;
      // A provider that quotes the request back in its error, as real ones do.
      if (user.includes('ECHO')) throw new Error(`cannot classify ${JSON.stringify(user)}`);
      return { text: 'utilities', logprobs: [{ token: 'x', logprob: Math.log(0.95) }] };
    },
  });
});
afterAll(() => server.close());

/** Everything reachable from `root` through properties, prototypes and accessors. */
function reachable(root: unknown): Set<unknown> {
  const seen = new Set<unknown>();
  const queue: unknown[] = [root];
  while (queue.length && seen.size < 100_000) {
    const v = queue.shift();
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null || seen.has(v)) continue;
    if (v === Object.prototype || v === Function.prototype) continue;
    seen.add(v);
    queue.push(Object.getPrototypeOf(v));
    for (const key of Reflect.ownKeys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, key)!;
      if ('value' in d) queue.push(d.value);
      else if (d.get) {
        try {
          queue.push(d.get.call(v));
        } catch {
          // a getter that needs another receiver
        }
      }
    }
  }
  return seen;
}

describe.each(storeBackends('governor guards'))('the library under attack: $name', (backend) => {
  let w: Governed;
  beforeEach(async () => {
    w = await governedWorkspace(backend, files(server.openaiBaseURL));
  });
  afterEach(() => w.cleanup());

  describe('the store is not reachable from the governor', () => {
    it('no property, prototype, accessor or frozen reader leads to the store or to an append', async () => {
      // Passed in, so the very object can be looked for.
      const gov = await w.governor({ store: w.store });
      const all = reachable(gov);
      expect(all.size).toBeGreaterThan(3);
      expect(all.has(w.store)).toBe(false);
      for (const v of all) expect(Object.keys(Object.getOwnPropertyDescriptors(v))).not.toContain('append');
      // @ts-expect-error the store is not part of the public type either
      expect(gov.store).toBeUndefined();
      expect(Object.isFrozen(gov.runs)).toBe(true);
      expect(Object.keys(gov.runs).sort()).toEqual(['events', 'query']);
      expect(Object.getOwnPropertyNames(Governor.prototype).sort()).toEqual(['act', 'close', 'constructor', 'run', 'start', 'tag']);
    });

    it('an automation cannot approve its own tier-1 run and then act on it', async () => {
      const gov = await w.governor();
      const run = await gov.run('advise', { text: 'sure' });
      expect(run.disposition).toBe('approval_required');
      const forged = { type: 'review_resolved', runId: run.id, automation: 'advise', data: { decision: 'approve', reviewer: 'the automation' } };
      const handle = gov as unknown as Record<string, { append?: (e: unknown[]) => Promise<unknown> } | undefined>;
      for (const name of ['store', '_store', 'runs', 'workspace', 'gateway', 'opts']) {
        expect(typeof handle[name]?.append, name).toBe('undefined');
      }
      await expect((async () => handle.store!.append!([forged]))()).rejects.toBeInstanceOf(TypeError);
      // tag writes only impact_tagged, with a checked impact.
      await expect(gov.tag(run.id, { system: 'erp', decision: 'approve' } as never)).rejects.toMatchObject({ code: 'E_IMPACT' });
      await expect(gov.act(run, () => 'booked', { impacts: [{ system: 'erp' }] })).rejects.toMatchObject({ code: 'E_APPROVAL_REQUIRED' });
      expect((await gov.runs.events(run.id)).map((e) => e.type)).toEqual(['run_started', 'run_finished']);
    });
  });

  describe('caller confidence', () => {
    it.each([
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
      ['7', 7],
      ["'0.1'", '0.1'],
      ['-0.5', -0.5],
    ])('refuses %s (E_CONFIDENCE), logs no end, and leaves the handle open', async (_n, confidence) => {
      const gov = await w.governor();
      const h = await gov.start('auto', { text: 'own call' });
      const err = await h.finish({ output: 'utilities', confidence: confidence as number }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect(err).toMatchObject({ code: 'E_CONFIDENCE', exitCode: 2 });
      expect((await gov.runs.events(h.id)).map((e) => e.type)).toEqual(['run_started']);
      await expect(h.finish({ output: 'utilities', confidence: 0.9 })).resolves.toMatchObject({ confidence: 0.9, disposition: 'auto' });
    });

    it.each([
      ['finish without a confidence, no threshold', async (gov: Governor) => (await gov.start('plain', { text: 'x' })).finish({ output: 'o' })],
      ['finish with a null confidence, no threshold', async (gov: Governor) => (await gov.start('plain', { text: 'x' })).finish({ output: 'o', confidence: null })],
      ['finish without a confidence, with a threshold', async (gov: Governor) => (await gov.start('auto', { text: 'x' })).finish({ output: 'o' })],
      ['run with confidence: none, no threshold', (gov: Governor) => gov.run('plain', { text: 'x' })],
    ])('a null confidence is never auto: %s', async (_n, make) => {
      const gov = await w.governor();
      const run = await make(gov);
      expect(run).toMatchObject({ confidence: null, disposition: 'review' });
      expect((await gov.runs.events(run.id)).at(-1)!.data).toMatchObject({ confidence: null, disposition: 'review' });
      await expect(gov.act(run, () => 'booked', { impacts: [{ system: 'erp' }] })).rejects.toMatchObject({ code: 'E_AWAITING_REVIEW' });
    });
  });

  describe('input fingerprints', () => {
    it('are a plain sha256 without AIGOV_INPUT_KEY, and say so', async () => {
      const gov = await w.governor();
      const run = await gov.run('auto', { text: EMAIL });
      const started = (await gov.runs.events(run.id))[0].data;
      expect(started.inputFingerprint).toEqual({ alg: 'sha256', value: hashOf({ text: EMAIL }) });
      expect(started).not.toHaveProperty('inputSha256');
    });

    it('are an HMAC-SHA256 under AIGOV_INPUT_KEY, the same for the same input, and no plain hash of it is logged', async () => {
      const env = { TEST_OPENAI_KEY: KEY, AIGOV_INPUT_KEY: INPUT_KEY };
      const a = await (await w.governor({ env })).run('auto', { text: EMAIL });
      const b = await (await w.governor({ env })).run('auto', { text: EMAIL });
      const gov = await w.governor();
      const [fa, fb] = await Promise.all([a, b].map(async (r) => (await gov.runs.events(r.id))[0].data.inputFingerprint));
      const hmac = createHmac('sha256', INPUT_KEY).update(JSON.stringify({ text: EMAIL })).digest('hex');
      expect(fa).toEqual({ alg: 'hmac-sha256', value: hmac });
      expect(fb).toEqual(fa);
      const everything = JSON.stringify(await gov.runs.query({}));
      expect(everything).not.toContain(hashOf({ text: EMAIL }));
      expect(everything).not.toContain(EMAIL);
    });

    it('refuses a key too short to be secret, before logging anything', async () => {
      await expect(w.governor({ env: { TEST_OPENAI_KEY: KEY, AIGOV_INPUT_KEY: 'hunter2' } })).rejects.toMatchObject({ code: 'E_INPUT_KEY', exitCode: 2 });
      expect(await w.store.query({})).toEqual([]);
    });
  });

  describe('error messages of automations that do not log inputs', () => {
    it('a provider error that echoes the input is logged without it', async () => {
      const gov = await w.governor();
      const text = `ECHO pay ${IBAN} to ${EMAIL}`;
      const err = await gov.run('auto', { text }).catch((e: unknown) => e);
      // The caller still gets the whole message: it is the log that must not keep it.
      expect((err as Error).message).toContain(IBAN);
      const failed = (await gov.runs.query({ types: ['run_failed'] }))[0];
      const message = (failed.data.error as { message: string }).message;
      expect(message).toMatch(/^openai server error \(HTTP 500\).*\[input\]/);
      expect(JSON.stringify(await gov.runs.query({}))).not.toMatch(new RegExp(`${IBAN.slice(0, 6)}|${IBAN.slice(-6)}|ann\\.ba|example\\.com`));
    });

    it('a thrown error that quotes the input is logged without it', async () => {
      const gov = await w.governor();
      const h = await gov.start('auto', { text: `pay ${IBAN}` });
      await h.fail(new TypeError(`no bank for "${IBAN.slice(0, 12)}…" in the input`));
      const failed = (await gov.runs.events(h.id)).at(-1)!;
      expect(failed.data.error).toEqual({ type: 'TypeError', message: 'no bank for "[input]…" in the input' });
    });

    it('an automation that logs its inputs keeps the message as it was', async () => {
      const gov = await w.governor();
      const text = `ECHO ${IBAN}`;
      await gov.run('logged', { text }).catch(() => undefined);
      const failed = (await gov.runs.query({ types: ['run_failed'] }))[0];
      expect((failed.data.error as { message: string }).message).toContain(IBAN);
    });
  });

  describe('a run ends once', () => {
    it('a finish or failure after a person closed the run is refused (ConflictError), and the close stands', async () => {
      const gov = await w.governor();
      const h = await gov.start('auto', { text: 'x' });
      const h2 = await gov.start('auto', { text: 'y' });
      for (const id of [h.id, h2.id]) await closeRun(w.store, id, { by: 'ann@example.com', identity: IDENTITY, reason: 'worker died in the deploy', now: new Date() });
      await expect(h.finish({ output: 'late', confidence: 0.99 })).rejects.toBeInstanceOf(ConflictError);
      await expect(h2.fail(new Error('late'))).rejects.toMatchObject({ code: 'E_CONFLICT', exitCode: 1 });
      for (const id of [h.id, h2.id]) expect((await gov.runs.events(id)).map((e) => e.type)).toEqual(['run_started', 'run_abandoned']);
      expect((await gov.runs.events(h.id))[1].data).toEqual({ reason: 'worker died in the deploy', by: 'ann@example.com', identity: IDENTITY });
      await expect(gov.act(h.id, () => 1, { impacts: [] })).rejects.toBeInstanceOf(TierError);
    });

    it('closing a finished, failed or closed run is refused (E_RUN_ENDED), and a reason is required', async () => {
      const gov = await w.governor();
      const finished = await gov.run('auto', { text: 'sure' });
      const failed = await gov.start('auto', { text: 'x' });
      await failed.fail(new Error('no answer'));
      const closed = await gov.start('auto', { text: 'x' });
      const close = (id: string, reason = 'stuck') => closeRun(w.store, id, { by: 'ann', identity: IDENTITY, reason, now: new Date() });
      await close(closed.id);
      for (const [id, how] of [[finished.id, 'finished'], [failed.id, 'failed'], [closed.id, 'was closed by ann']]) {
        await expect(close(id)).rejects.toMatchObject({ code: 'E_RUN_ENDED', exitCode: 1, message: expect.stringContaining(how) });
      }
      const open = await gov.start('auto', { text: 'x' });
      await expect(close(open.id, ' ')).rejects.toMatchObject({ code: 'E_USAGE' });
      await expect(close('no-such-run')).rejects.toThrow(/no run no-such-run/);
    });
  });
});
