// The one place that turns an error into what a person reads and an exit code.
import { AigovError, formatLocation, formatProblem, InvalidWorkspaceError, type ExitCode } from '../errors.js';
import { paint, type Output } from './output.js';

export function reportError(err: unknown, o: Output, debug: boolean): ExitCode {
  if (err instanceof InvalidWorkspaceError) {
    for (const p of err.problems) o.err(paint(o, p.severity === 'error' ? 'red' : 'yellow', formatProblem(p)));
    const n = err.problems.filter((p) => p.severity === 'error').length;
    o.err(`${n} error${n === 1 ? '' : 's'}: nothing was run or written`);
    return err.exitCode;
  }
  if (err instanceof AigovError) {
    const where = err.location ? `${formatLocation(err.location)} ` : '';
    o.err(`${paint(o, 'red', 'error')} ${where}${err.message}`);
    if (err.hint) o.err(`  hint: ${err.hint}`);
    if (debug && err.stack) o.err(err.stack);
    return err.exitCode;
  }
  const e = err as Error;
  o.err(`internal error: ${e?.message ?? String(err)}`);
  o.err(debug && e?.stack ? e.stack : 'This is a bug in aigov: please report it with the command you ran (add --debug for the stack).');
  return 70;
}
