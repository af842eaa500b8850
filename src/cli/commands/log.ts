import type { DefineCommand } from './index.js';
import { paint } from '../output.js';

const collect = (value: string, all: string[] = []): string[] => [...all, value];

export const defineLog: DefineCommand = (program, wrap, ctx) => {
  const log = program.command('log').description('the tamper-evident run log');
  log
    .command('verify')
    .description('recompute the hash chain, account for every row and trigger, and check every seal in aigov.seals (hash, Merkle root, signature)')
    .action(
      wrap(async (o, g) => {
        const [{ withStore }, { verifyLog }, { workspaceKeys }] = await Promise.all([import('../../app/open-store.js'), import('../../app/log.js'), import('../../app/seal-keys.js')]);
        return withStore(ctx, g.root, async (store, ws) => {
          const v = await verifyLog(store, ws.root, { publicKeys: workspaceKeys(ws) });
          if (o.json) o.out(JSON.stringify(v, null, 2));
          else {
            if (v.firstBad) o.err(`${paint(o, 'red', 'broken')} at seq ${v.firstBad.seq}: ${v.firstBad.reason}`);
            for (const b of v.seals.bad) o.err(`${paint(o, 'red', 'seal')} #${b.seq} ${b.code}: ${b.reason}`);
            for (const p of v.rows?.problems ?? []) o.err(`${paint(o, 'red', p.table)} ${p.reason}`);
            if (v.rows?.more) o.err(`${paint(o, 'red', 'rows')} and ${v.rows.more} more problems`);
            for (const p of v.schema.problems) o.err(`${paint(o, 'red', 'schema')} ${p}`);
            if (v.ok && !o.quiet) {
              const rows = v.rows ? `; every row accounted for (${v.rows.impacts} impacts, ${v.rows.runs} runs)` : '';
              o.err(`ok: ${v.events} events, head ${v.head ? `#${v.head.seq} ${v.head.hash.slice(0, 12)}…` : 'none'}, ${v.seals.checked} seal${v.seals.checked === 1 ? '' : 's'} checked${rows}`);
            }
          }
          return v.ok ? 0 : 1;
        });
      }),
    );
  log
    .command('seal')
    .description('append the chain head (seq, hash, Merkle root, time; signed with AIGOV_SEAL_KEY where keys are listed) to aigov.seals, to commit')
    .action(
      wrap(async (o, g) => {
        const [{ withStore }, { sealLog }, { workspaceKeys }, { workspaceEnv }] = await Promise.all([import('../../app/open-store.js'), import('../../app/seal.js'), import('../../app/seal-keys.js'), import('../../app/read-workspace.js')]);
        return withStore(ctx, g.root, async (store, ws) => {
          const s = await sealLog(store, ws.root, { now: ctx.clock(), env: workspaceEnv(ws.root, ctx.env), publicKeys: workspaceKeys(ws) });
          if (o.json) o.out(JSON.stringify(s, null, 2));
          else if (!o.quiet) {
            const signed = s.key ? `, signed by ${s.key}` : '';
            o.err(s.written ? `sealed #${s.seq} ${s.hash.slice(0, 12)}… (root ${s.root?.slice(0, 12)}…${signed}) in aigov.seals: commit it` : `nothing new since the seal at #${s.seq}`);
          }
          return 0;
        });
      }),
    );
  log
    .command('show <event>')
    .description("one event of the run log by its seq (12 or #12) or its hash (or a prefix of it, such as an event: in aigov.lock), its link in the chain checked; a tier change with every gate it was made on")
    .action(
      wrap(async (o, g, ref: string) => {
        const [{ withStore }, { showEvent }, { renderShownEvent }] = await Promise.all([import('../../app/open-store.js'), import('../../app/log-show.js'), import('../render/tier-history.js')]);
        return withStore(ctx, g.root, async (store, ws) => {
          const shown = await showEvent(ws, store, ref);
          if (o.json) o.out(JSON.stringify(shown, null, 2));
          else renderShownEvent(o, shown);
          return shown.chain.ok ? 0 : 1;
        });
      }),
    );
  log
    .command('prove <run>')
    .description("write a run's events with their Merkle inclusion proofs against the newest seal (stdout, or -o FILE)")
    .option('-o, --output <file>', 'write the proof to this file')
    .action(
      wrap(async (o, g, runId: string, opts: { output?: string }) => {
        const [{ withStore }, { proveRun, writeProof }] = await Promise.all([import('../../app/open-store.js'), import('../../app/proof.js')]);
        return withStore(ctx, g.root, async (store, ws) => {
          const proof = await proveRun(store, ws.root, runId);
          if (opts.output === undefined) {
            o.out(JSON.stringify(proof, null, 2));
            return 0;
          }
          writeProof(opts.output, proof);
          const summary = { runId, file: opts.output, events: proof.events.length, seal: { seq: proof.seal.seq, at: proof.seal.at, root: proof.seal.root } };
          if (o.json) o.out(JSON.stringify(summary, null, 2));
          else if (!o.quiet) o.err(`proved run ${runId}: ${proof.events.length} event${proof.events.length === 1 ? '' : 's'} against the seal at #${proof.seal.seq} (${proof.seal.at}) in ${opts.output}`);
          return 0;
        });
      }),
    );
  log
    .command('check-proof <file>')
    .description('check a run proof against aigov.seals alone, without the run log')
    .option('--seals <file>', 'the aigov.seals to trust (default: the workspace’s, or ./aigov.seals outside one)')
    .option('--public-key <id=file>', 'trust this Ed25519 public key (PEM or base64 SPKI) for seals signed by id; repeatable', collect)
    .action(
      wrap(async (o, g, file: string, opts: { seals?: string; publicKey?: string[] }) => {
        const { checkProofIn } = await import('../../app/proof.js');
        const c = checkProofIn(file, { root: g.root, cwd: ctx.cwd, env: ctx.env, seals: opts.seals, publicKeys: opts.publicKey });
        if (o.json) o.out(JSON.stringify(c, null, 2));
        else {
          for (const p of c.problems) o.err(`${paint(o, 'red', 'invalid')} ${p.code}: ${p.message}`);
          const signed = c.seal.signedBy ? `, signed by ${c.seal.signedBy}` : ', unsigned';
          if (c.ok && !o.quiet) {
            const first = c.firstSealed ? `; first sealed at #${c.firstSealed.seq} (${c.firstSealed.at}), unchanged since` : '';
            o.err(`ok: run ${c.runId}, ${c.events.length} event${c.events.length === 1 ? '' : 's'} (${c.events.map((e) => `#${e.seq} ${e.type}`).join(', ')}) in the log as sealed at #${c.seal.seq} (${c.seal.at}${signed})${first}`);
          }
        }
        return c.ok ? 0 : 1;
      }),
    );
};
