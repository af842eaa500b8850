import type { DefineCommand } from './index.js';
import { positiveInt } from './parse-args.js';

export const defineTrace: DefineCommand = (program, wrap, ctx) =>
  program
    .command('trace')
    .description('which runs affected a downstream system or one record in it, newest first')
    .requiredOption('--system <system>', 'the downstream system, e.g. erp')
    .option('--ref <ref>', 'one record in it, e.g. INV-1042')
    .option('--limit <n>', 'at most n touches', (v) => positiveInt(v))
    .action(
      wrap(async (o, g, opts: { system: string; ref?: string; limit?: number }) => {
        const [{ withStore }, { trace }, { renderTrace }] = await Promise.all([import('../../app/open-store.js'), import('../../app/runs.js'), import('../render/runs.js')]);
        return withStore(ctx, g.root, async (store) => {
          const rows = await trace(store, opts);
          o.out(o.json ? JSON.stringify(rows, null, 2) : renderTrace(rows, o));
          return 0;
        });
      }),
    );
