import type { DefineCommand } from './index.js';
import { UsageError } from '../../errors.js';
import { paint } from '../output.js';

export const definePin: DefineCommand = (program, wrap, context) =>
  program
    .command('pin [models...]')
    .description('resolve logical models to exact snapshots and write aigov.lock (NAME to re-resolve, NAME=provider:id to set)')
    .option('--check', 'CI gate: exit 1 when the lock is missing or stale, lacks a served model, a prompt changed without a version bump, or a tier was raised by hand')
    .option('--upgrade <name>', 'resolve the newest snapshot, run its suites on it, switch only if they pass')
    .option('--force', 'with --upgrade: switch even if suites fail')
    .option('--as <who>', 'who pins (default: git user.email)')
    .action(
      wrap(async (o, g, models: string[], opts: { check?: boolean; upgrade?: string; force?: boolean; as?: string }) => {
        if (opts.force && !opts.upgrade) throw new UsageError('--force only goes with --upgrade NAME', { hint: 'aigov pin --upgrade NAME --force' });
        if (opts.check && (opts.upgrade || models.length)) throw new UsageError('--check takes no model names and no --upgrade: it only reads the lock');
        const { openWorkspace } = await import('../../app/workspace.js');
        const ws = openWorkspace({ root: g.root, cwd: context.cwd, env: context.env });
        if (opts.check) {
          const [{ checkLock }, { describeDrift }] = await Promise.all([import('../../app/pin.js'), import('../../core/lock/drift.js')]);
          const drift = checkLock(ws).map(describeDrift);
          if (o.json) o.out(JSON.stringify({ ok: drift.length === 0, drift }, null, 2));
          else for (const d of drift) o.err(`${paint(o, 'red', 'drift')} ${d.file}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`);
          if (!drift.length && !o.quiet && !o.json) o.err('ok: aigov.lock is current');
          return drift.length ? 1 : 0;
        }
        const { pinContext } = await import('../../app/pin-context.js');
        const warn = (m: string): void => {
          if (!o.quiet && !o.json) o.err(`${paint(o, 'yellow', 'warning')} ${m}`);
        };
        const ctx = await pinContext(context, ws, opts.as, warn);
        if (opts.upgrade) {
          const { upgrade } = await import('../../app/upgrade.js');
          const r = await upgrade(ws, opts.upgrade, { ...ctx, force: opts.force, onWarning: warn });
          if (o.json) o.out(JSON.stringify({ ...r, report: undefined }, null, 2));
          else if (r.from === r.to) o.err(`${r.name}: ${r.to} is already the newest snapshot`);
          else {
            for (const s of r.suites) o.err(`  ${s.passed ? paint(o, 'green', 'pass') : paint(o, 'red', 'FAIL')} ${s.suite}: ${(s.before * 100).toFixed(0)}% -> ${(s.after * 100).toFixed(0)}%`);
            const served = r.served === undefined ? '' : `, served as ${r.served ?? 'no model name'}`;
            o.err(r.switched ? `${r.name}: ${r.from} -> ${r.to}${served}${r.forced ? ' (forced despite failing suites)' : ''}` : `${r.name}: staying on ${r.from}; ${r.to} fails its suites (--force to switch anyway)`);
          }
          return r.from === r.to || r.switched ? 0 : 1;
        }
        const { pin } = await import('../../app/pin.js');
        const r = await pin(ws, { ...ctx, only: models });
        if (o.json) o.out(JSON.stringify({ models: r.models, served: r.served, prompts: r.prompts, automations: r.automations, rewritten: r.rewritten ?? null, written: r.written }, null, 2));
        else {
          // Said even with --quiet: a rewritten lock may have lost tiers that only `promote` can give back.
          if (r.rewritten === 'conflict') o.err(`${paint(o, 'yellow', 'warning')} aigov.lock had merge-conflict markers: kept what both sides agree on and rebuilt the rest from the workspace`);
          if (r.rewritten === 'unreadable') o.err(`${paint(o, 'yellow', 'warning')} aigov.lock could not be read: rebuilt it from the workspace; every automation enters the ledger at tier 1 (\`aigov promote\` to raise one)`);
          if (!o.quiet) {
            const servedAs = (s: string | null) => `served as ${s ?? 'no model name (the API reports none)'}`;
            for (const m of r.models) o.err(`${m.name}: ${m.from ? `${m.from} -> ` : ''}${m.to} (${m.how}), ${servedAs(m.served)}`);
            for (const m of r.served) o.err(`${m.name}: ${m.resolved}, ${servedAs(m.served)} (recorded)`);
            for (const p of r.prompts) o.err(`prompt ${p.id}: ${p.from ? `version ${p.from} -> ` : 'version '}${p.to}`);
            for (const a of r.automations) o.err(`automation ${a.automation}: enters the ledger at tier ${a.tier}${a.how === 'new' ? '' : ` (${a.how})`}`);
            o.err(r.written ? 'wrote aigov.lock' : 'aigov.lock is up to date');
          }
        }
        return 0;
      }),
    );
