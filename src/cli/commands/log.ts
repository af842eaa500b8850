import type { DefineCommand } from './index.js';
import { paint } from '../output.js';

export const defineLog: DefineCommand = (program, wrap) => {
  const log = program.command('log').description('the tamper-evident run log');
  log
    .command('verify')
    .description('recompute the hash chain, account for every row and trigger, and check every seal in aigov.seals')
    .action(
      wrap(async (o, g) => {
        const [{ withStore }, { verifyLog }] = await Promise.all([import('../../app/open-store.js'), import('../../app/log.js')]);
        return withStore(g.root, async (store, ws) => {
          const v = await verifyLog(store, ws.root);
          if (o.json) o.out(JSON.stringify(v, null, 2));
          else {
            if (v.firstBad) o.err(`${paint(o, 'red', 'broken')} at seq ${v.firstBad.seq}: ${v.firstBad.reason}`);
            for (const b of v.seals.bad) o.err(`${paint(o, 'red', 'seal')} ${b.reason}`);
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
    .description('append the chain head (seq, hash, time) to aigov.seals, to commit')
    .action(
      wrap(async (o, g) => {
        const [{ withStore }, { sealLog }] = await Promise.all([import('../../app/open-store.js'), import('../../app/log.js')]);
        return withStore(g.root, async (store, ws) => {
          const s = await sealLog(store, ws.root, new Date());
          if (o.json) o.out(JSON.stringify(s, null, 2));
          else if (!o.quiet) o.err(s.written ? `sealed #${s.seq} ${s.hash.slice(0, 12)}… in aigov.seals: commit it` : `nothing new since the seal at #${s.seq}`);
          return 0;
        });
      }),
    );
};
