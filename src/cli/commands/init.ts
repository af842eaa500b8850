import { resolve } from 'node:path';
import type { DefineCommand } from './index.js';

const NEXT_STEPS = `next steps:
  1. npm install -D aigov
  2. export OPENAI_API_KEY=sk-...   (or put OPENAI_API_KEY=... in .env, which git ignores)
  3. aigov pin                      (resolves the model to a dated snapshot and writes aigov.lock)
  4. aigov eval --record            (runs the suite and records the answers in fixtures/)
An OpenAI-compatible server (vLLM, Ollama, llama-server, LiteLLM, Azure)? Set its URL
in aigov.yaml as providers.openai.baseURL, e.g. http://127.0.0.1:8080/v1. A local
server still needs OPENAI_API_KEY set, to any dummy value (OPENAI_API_KEY=local).`;

export const defineInit: DefineCommand = (program, wrap, ctx) =>
  program
    .command('init [dir]')
    .description('scaffold a workspace (files carry yaml-language-server schema headers); never overwrites a file')
    .option('--force', 'replace files that already exist (each is listed)')
    .action(
      wrap(async (o, g, dir: string | undefined, opts: { force?: boolean }) => {
        const { initWorkspace } = await import('../../app/init.js');
        const r = initWorkspace(resolve(ctx.cwd, dir ?? g.root ?? '.'), { force: opts.force });
        if (o.json) o.out(JSON.stringify(r, null, 2));
        else if (!o.quiet) {
          const created = r.files.filter((f) => !r.replaced.includes(f) && f !== '.gitignore');
          if (created.length) o.err(`created ${created.join(', ')} in ${r.root}`);
          if (r.replaced.length) o.err(`replaced ${r.replaced.join(', ')}`);
          if (r.gitignore !== 'unchanged') o.err(`${r.gitignore} .gitignore: .aigov/ (local state) and .env (secrets) are not committed`);
          o.err(NEXT_STEPS);
        }
        return 0;
      }),
    );
