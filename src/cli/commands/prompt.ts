import type { DefineCommand } from './index.js';
import type { Output } from '../output.js';

export const definePrompt: DefineCommand = (program, wrap, ctx) => {
  const prompt = program.command('prompt').description('a prompt through its versions in git: show, diff, history');
  const root = async (g: { root?: string }): Promise<string> => (await import('../../app/read-workspace.js')).findRoot({ root: g.root, cwd: ctx.cwd, env: ctx.env });
  const print = (o: Output, value: unknown, text: () => string): void => o.out(o.json ? JSON.stringify(value, null, 2) : text());
  prompt
    .command('show <prompt>')
    .description('a prompt as it is (ID), was at a version (ID@3) or at a git ref (ID@main): messages, params, model, output')
    .action(
      wrap(async (o, g, spec: string) => {
        const [{ showPrompt }, { renderPromptShow }] = await Promise.all([import('../../app/prompt-show.js'), import('../render/prompt.js')]);
        const at = await root(g);
        const shown = await showPrompt(at, spec, { git: ctx.git(at) });
        print(o, shown, () => renderPromptShow(shown, o));
        return 0;
      }),
    );
  prompt
    .command('diff <id> [a] [b]')
    .description('what changed between two versions or git refs (default: HEAD and the working tree); exits 0 either way')
    .action(
      wrap(async (o, g, id: string, a: string | undefined, b: string | undefined) => {
        const [{ diffPromptVersions }, { renderPromptDiff }] = await Promise.all([import('../../app/prompt-diff.js'), import('../render/prompt.js')]);
        const at = await root(g);
        const diff = await diffPromptVersions(at, id, a, b, { git: ctx.git(at) });
        print(o, diff, () => renderPromptDiff(diff, o));
        return 0;
      }),
    );
  prompt
    .command('history <id>')
    .description('every version in git: content hash, first commit, author, date, and the eval results recorded for it')
    .action(
      wrap(async (o, g, id: string) => {
        const [{ promptHistory }, { renderPromptHistory }] = await Promise.all([import('../../app/prompt-history.js'), import('../render/prompt.js')]);
        const at = await root(g);
        const history = await promptHistory(at, id, { git: ctx.git(at) });
        print(o, history, () => renderPromptHistory(history, o));
        return 0;
      }),
    );
};
