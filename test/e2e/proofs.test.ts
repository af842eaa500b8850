// Provable runs through the built binary: runs made by the library against a
// real model server into a real SQLite log, sealed (signed, and unsigned),
// proved, and the proof checked in another folder that holds only proof.json
// and aigov.seals, as an auditor would, with no database anywhere near.
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGovernor, type Governor, type Run } from '../../src/app/governor.js';
import type { RunProof } from '../../src/core/log/proof.js';
import { aigov } from '../support/cli.js';
import { startModelServer, type ModelServer } from '../support/model-server.mjs';
import { grantTiers } from '../support/ledger.js';
import { automationYaml, configYaml, promptYaml, tempWorkspace } from '../support/workspace.js';

const keys = generateKeyPairSync('ed25519');
const PUBLIC_B64 = keys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
const PRIVATE_PEM = keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

let server: ModelServer;
let lock: string | undefined;
const cleanups: (() => void)[] = [];
const governors: Governor[] = [];

beforeAll(async () => {
  server = await startModelServer({
    aliases: { 'gpt-4o-mini': 'gpt-4o-mini-2024-07-18' },
    answer: () => ({ text: 'utilities', logprobs: [{ token: 'x', logprob: Math.log(0.95) }] }),
  });
});
afterAll(async () => {
  for (const g of governors) await g.close();
  cleanups.forEach((c) => c());
  await server.close();
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aigov-audit-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A pinned workspace with `runs` runs in its SQLite log, the first one acted on. */
async function workspace(extraConfig: string, runs: number): Promise<{ root: string; runs: Run[]; gov: Governor; cli: (args: string[], env?: Record<string, string>) => ReturnType<typeof aigov> }> {
  const w = tempWorkspace({
    'aigov.yaml': configYaml(server.openaiBaseURL) + extraConfig,
    'prompts/cls.yaml': promptYaml('cls', { output: '{ type: text, confidence: logprobs }' }),
    'automations/auto.yaml': automationYaml('auto', 3, 'cls', 'downstream: [erp]\nconfidence: { threshold: 0.8 }\n'),
  });
  cleanups.push(w.cleanup);
  const cli = (args: string[], env: Record<string, string> = {}) => aigov(args, { cwd: w.root, env });
  if (lock === undefined) {
    const pin = await cli(['pin', '--as', 'ops@example.com']);
    if (pin.exitCode !== 0) throw new Error(`pin failed: ${pin.stderr}`);
    // pin enters the automation at tier 1; its promotion to 3 is not what this tests.
    lock = grantTiers(readFileSync(join(w.root, 'aigov.lock'), 'utf8'), { auto: 3 });
    w.write('aigov.lock', lock);
  } else {
    w.write('aigov.lock', lock);
  }
  const gov = await openGovernor({ root: w.root, env: { TEST_OPENAI_KEY: 'sk-test' }, onWarning: () => undefined });
  governors.push(gov);
  const made: Run[] = [];
  for (let i = 0; i < runs; i++) made.push(await gov.run('auto', { text: `invoice ${i}` }, { triggeredBy: 'e2e' }));
  if (made.length > 0) await gov.act(made[0], () => undefined, { impacts: [{ system: 'erp', ref: 'INV-1' }] });
  return { root: w.root, runs: made, gov, cli };
}

const json = <T>(text: string): T => JSON.parse(text) as T;

describe('aigov log prove / check-proof, unsigned seals', () => {
  it('proves a run and checks it in a folder holding only proof.json and aigov.seals', async () => {
    const w = await workspace('', 3);
    expect((await w.cli(['log', 'seal'])).exitCode).toBe(0);
    const prove = await w.cli(['log', 'prove', w.runs[0].id, '-o', 'proof.json']);
    expect(prove.exitCode, prove.stderr).toBe(0);
    expect(prove.stderr).toMatch(new RegExp(`proved run ${w.runs[0].id}: 4 events against the seal at #\\d+`));

    const audit = folder();
    copyFileSync(join(w.root, 'proof.json'), join(audit, 'proof.json'));
    copyFileSync(join(w.root, 'aigov.seals'), join(audit, 'aigov.seals'));
    const check = await aigov(['log', 'check-proof', 'proof.json'], { cwd: audit });
    expect(check.exitCode, check.stderr).toBe(0);
    expect(check.stderr).toMatch(new RegExp(`^ok: run ${w.runs[0].id}, 4 events \\(#\\d+ run_started, #\\d+ run_finished, #\\d+ action_started, #\\d+ action_taken\\) in the log as sealed at #\\d+ .*unsigned\\)`));

    // Each tampering fails with exit 1 and its code; the JSON lists every problem.
    const proof = json<RunProof>(readFileSync(join(audit, 'proof.json'), 'utf8'));
    const edited = structuredClone(proof);
    edited.events[1].event.data.output = 'travel';
    writeFileSync(join(audit, 'edited.json'), JSON.stringify(edited));
    const bad = await aigov(['log', 'check-proof', 'edited.json'], { cwd: audit });
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/invalid E_PROOF_EVENT: event \d+ \(run_finished\) does not hash to its recorded hash/);
    const badJson = await aigov(['log', 'check-proof', 'edited.json', '--json'], { cwd: audit });
    expect(json<{ ok: boolean; problems: { code: string }[] }>(badJson.stdout)).toMatchObject({ ok: false, problems: [{ code: 'E_PROOF_EVENT' }] });

    writeFileSync(join(audit, 'aigov.seals'), '# emptied\n');
    const noSeal = await aigov(['log', 'check-proof', 'proof.json'], { cwd: audit });
    expect(noSeal.exitCode).toBe(1);
    expect(noSeal.stderr).toMatch(/E_PROOF_SEAL: the proof's seal .* is not in aigov\.seals/);

    const notAProof = await aigov(['log', 'check-proof', 'aigov.seals'], { cwd: audit });
    expect(notAProof.exitCode).toBe(2);
    expect(notAProof.stderr).toMatch(/^aigov\.seals error E_PROOF_FORMAT: the proof is not JSON/);
    expect(notAProof.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses to prove a run with events after the newest seal (exit 2, hint to seal), and prints the proof to stdout without -o', async () => {
    const w = await workspace('', 1);
    expect((await w.cli(['log', 'seal'])).exitCode).toBe(0);
    const later = await w.gov.run('auto', { text: 'late' });
    const refused = await w.cli(['log', 'prove', later.id]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`run ${later.id} has events up to seq \\d+, after the newest seal \\(seq \\d+\\)\n  hint: run \`aigov log seal\``));
    const out = await w.cli(['log', 'prove', w.runs[0].id]);
    expect(out.exitCode).toBe(0);
    expect(json<RunProof>(out.stdout)).toMatchObject({ format: 'aigov-run-proof', version: 1, runId: w.runs[0].id });
  });
});

describe('aigov log check-proof, a proof file that cannot be read', () => {
  it.each<[string, (dir: string) => void, RegExp]>([
    ['not there', () => {}, /^error E_USAGE: no proof at \S+proof.json$/m],
    ['a folder', (dir) => mkdirSync(join(dir, 'proof.json')), /^error E_FILE_UNREADABLE: \S+proof.json: is a folder, not a file$/m],
    ['a looping link', (dir) => symlinkSync('proof.json', join(dir, 'proof.json')), /^error E_FILE_UNREADABLE: \S+proof.json: is a symbolic link that loops$/m],
  ])('%s: exit 2 with its path, in the words every other file gets', async (_n, make, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'aigov-proof-'));
    try {
      writeFileSync(join(dir, 'aigov.seals'), '# nothing sealed yet\n');
      make(dir);
      const r = await aigov(['log', 'check-proof', 'proof.json'], { cwd: dir });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/EISDIR|ELOOP|internal error|\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('aigov log seal / verify / check-proof, signed seals', () => {
  const keyed = `seals:\n  publicKeys:\n    - { id: ci, key: ${PUBLIC_B64} }\n`;

  it('signs with AIGOV_SEAL_KEY, verifies, and checks a proof with the public key an auditor is given', async () => {
    const w = await workspace(keyed, 2);
    const unsigned = await w.cli(['log', 'seal']);
    expect(unsigned.exitCode).toBe(2);
    expect(unsigned.stderr).toMatch(/aigov\.yaml lists seal keys .* AIGOV_SEAL_KEY is not set/);
    expect(existsSync(join(w.root, 'aigov.seals'))).toBe(false);

    const seal = await w.cli(['log', 'seal'], { AIGOV_SEAL_KEY: PRIVATE_PEM });
    expect(seal.exitCode, seal.stderr).toBe(0);
    expect(seal.stderr).toMatch(/sealed #\d+ .*signed by ci\) in aigov\.seals: commit it/);
    expect((await w.cli(['log', 'verify'])).exitCode).toBe(0);
    expect((await w.cli(['log', 'prove', w.runs[1].id, '-o', 'proof.json'])).exitCode).toBe(0);

    const audit = folder();
    const keyDir = folder();
    copyFileSync(join(w.root, 'proof.json'), join(audit, 'proof.json'));
    copyFileSync(join(w.root, 'aigov.seals'), join(audit, 'aigov.seals'));
    writeFileSync(join(keyDir, 'ci.pub.pem'), keys.publicKey.export({ format: 'pem', type: 'spki' }).toString());
    const untrusted = await aigov(['log', 'check-proof', 'proof.json'], { cwd: audit });
    expect(untrusted.exitCode).toBe(1);
    expect(untrusted.stderr).toMatch(/E_SEAL_KEY_UNKNOWN: the seal at seq \d+ is signed by key "ci"/);
    const trusted = await aigov(['log', 'check-proof', 'proof.json', '--public-key', `ci=${join(keyDir, 'ci.pub.pem')}`], { cwd: audit });
    expect(trusted.exitCode, trusted.stderr).toBe(0);
    expect(trusted.stderr).toMatch(/^ok: run .* 2 events .*signed by ci\)/);

    // In the workspace, with its store unreachable: the keys come from aigov.yaml, and no database is opened.
    writeFileSync(join(w.root, 'aigov.yaml'), `${readFileSync(join(w.root, 'aigov.yaml'), 'utf8')}store: postgres://nobody@127.0.0.1:1/nowhere\n`);
    const inWorkspace = await w.cli(['log', 'check-proof', 'proof.json']);
    expect(inWorkspace.exitCode, inWorkspace.stderr).toBe(0);
    const storeDown = await w.cli(['log', 'verify']);
    expect(storeDown.exitCode).toBe(3);
  });

  it("fails verify on a seal whose root or signature was edited, naming each with its code", async () => {
    const w = await workspace(keyed, 1);
    expect((await w.cli(['log', 'seal'], { AIGOV_SEAL_KEY: PRIVATE_PEM })).exitCode).toBe(0);
    const path = join(w.root, 'aigov.seals');
    const text = readFileSync(path, 'utf8');
    const line = text.split('\n').find((l) => l.startsWith('{'))!;
    const seal = json<{ root: string; sig: string; seq: number }>(line);
    writeFileSync(path, text.replace(seal.root, 'ab'.repeat(32)));
    const v = await w.cli(['log', 'verify']);
    expect(v.exitCode).toBe(1);
    expect(v.stderr).toContain(`seal #${seal.seq} E_SEAL_SIGNATURE: the signature of the seal at seq ${seal.seq} does not verify under key "ci"`);
    expect(v.stderr).toContain(`seal #${seal.seq} E_SEAL_ROOT_MISMATCH: the Merkle root of events 1..${seal.seq} is`);
    const j = await w.cli(['log', 'verify', '--json']);
    expect(json<{ seals: { bad: { code: string }[] } }>(j.stdout).seals.bad.map((b) => b.code)).toEqual(['E_SEAL_SIGNATURE', 'E_SEAL_ROOT_MISMATCH']);
  });

  it('refuses a private key listed as a public one, with its line, before anything runs', async () => {
    const w = await workspace('', 0);
    const privB64 = keys.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    writeFileSync(join(w.root, 'aigov.yaml'), `${readFileSync(join(w.root, 'aigov.yaml'), 'utf8')}seals:\n  publicKeys:\n    - id: ci\n      key: ${privB64}\n`);
    for (const args of [['validate'], ['log', 'verify']]) {
      const r = await w.cli(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/aigov\.yaml:\d+:\d+ error seals\.publicKeys\[0\]\.key: this is a PRIVATE key/);
    }
  });
});
