import type { DefineCommand } from './index.js';
import { paint } from '../output.js';

const WHY = { stale: 'out of date with the workspace or aigov.lock', missing: 'not written yet', extra: 'left over: no automation renders to it (`aigov docs` removes it)' } as const;

export const defineDocs: DefineCommand = (program, wrap, ctx) =>
  program
    .command('docs')
    .description('write one governance page per automation to docs/automations/, and an index')
    .option('--check', 'CI gate: exit 1 naming each page that is stale, missing or left over; writes nothing')
    .action(
      wrap(async (o, g, opts: { check?: boolean }) => {
        const [{ openWorkspace }, docs] = await Promise.all([import('../../app/workspace.js'), import('../../app/docs.js')]);
        const ws = openWorkspace({ root: g.root, cwd: ctx.cwd, env: ctx.env });
        if (opts.check) {
          const pages = docs.planDocs(ws).map(({ path, status, automation }) => ({ path, status, ...(automation ? { automation } : {}) }));
          const bad = pages.filter((p) => p.status !== 'current');
          if (o.json) o.out(JSON.stringify({ ok: bad.length === 0, pages }, null, 2));
          else {
            for (const p of bad) o.err(`${paint(o, 'red', p.status)} ${p.path}: ${WHY[p.status as keyof typeof WHY]}`);
            if (!o.quiet) o.err(bad.length ? `${bad.length} of the governance pages need \`aigov docs\`` : `ok: ${pages.length} governance pages are current`);
          }
          return bad.length ? 1 : 0;
        }
        const r = docs.writeDocs(ws);
        if (o.json) o.out(JSON.stringify(r, null, 2));
        else if (!o.quiet) {
          for (const path of r.written) o.err(`wrote ${path}`);
          for (const path of r.removed) o.err(`removed ${path}`);
          o.err(`ok: ${r.written.length + r.unchanged.length} governance pages, ${r.written.length} written, ${r.removed.length} removed`);
        }
        return 0;
      }),
    );
