import type { DefineCommand } from './index.js';
import { formatProblem, InvalidWorkspaceError } from '../../errors.js';
import { paint } from '../output.js';
import { errorJson } from '../report-error.js';

export const defineValidate: DefineCommand = (program, wrap, ctx) =>
  program
    .command('validate')
    .description('check every file and every cross-reference; all errors at once')
    .action(
      wrap(async (o, g) => {
        const { openWorkspace, driftWarnings } = await import('../../app/workspace.js');
        const ws = openWorkspace({ root: g.root, cwd: ctx.cwd, env: ctx.env });
        const problems = [...ws.problems, ...driftWarnings(ws)];
        const errors = problems.filter((p) => p.severity === 'error').length;
        const warnings = problems.length - errors;
        // With errors, also the `error` every command's --json carries, so one check fits all.
        if (o.json) o.out(JSON.stringify({ ok: errors === 0, errors, warnings, problems, ...(errors ? { error: errorJson(new InvalidWorkspaceError(problems)) } : {}) }, null, 2));
        else {
          for (const p of problems) if (!o.quiet || p.severity === 'error') o.err(paint(o, p.severity === 'error' ? 'red' : 'yellow', formatProblem(p)));
          if (!o.quiet) {
            const files = 1 + ws.prompts.size + ws.suites.size + ws.automations.size + (ws.lock ? 1 : 0);
            o.err(errors ? `${paint(o, 'red', 'error')} E_INVALID: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}` : `ok: ${files} files, ${warnings} warning${warnings === 1 ? '' : 's'}`);
          }
        }
        return errors ? 2 : 0;
      }),
    );
