import { resolve } from 'node:path';
import type { DefineCommand } from './index.js';

export const defineInit: DefineCommand = (program, wrap) =>
  program
    .command('init [dir]')
    .description('scaffold a workspace (files carry yaml-language-server schema headers)')
    .action(
      wrap(async (o, g, dir?: string) => {
        const { initWorkspace } = await import('../../app/init.js');
        const target = resolve(dir ?? g.root ?? '.');
        const files = initWorkspace(target);
        if (o.json) o.out(JSON.stringify({ root: target, files }, null, 2));
        else if (!o.quiet) {
          o.err(`created ${files.join(', ')}`);
          o.err('next: npm install -D aigov; export OPENAI_API_KEY=…; aigov pin; aigov eval --record');
        }
        return 0;
      }),
    );
