// The one place that turns an error into what a person (or, with --json, a
// program) reads, and into an exit code. Every error leaves here with its stable code.
import { AigovError, formatLocation, formatProblem, InternalError, InvalidWorkspaceError, type ErrorCode, type ExitCode, type Location, type Problem } from '../errors.js';
import { classifyThrown } from '../fs/file-errors.js';
import { paint, type Output } from './output.js';
import { terminalSafe as safe } from './render/terminal-safe.js';

/** The `--json` shape of an error, the same for every command. */
export interface ErrorJson {
  code: ErrorCode;
  message: string;
  hint: string | null;
  location: Location | null;
  /** Workspace errors only: every problem found, warnings included. */
  problems?: Problem[];
}

export function reportError(err: unknown, o: Output, debug: boolean): ExitCode {
  const e = classify(err);
  if (o.json) o.out(JSON.stringify({ error: errorJson(e) }, null, 2));
  // A message can carry what a command, a server or a file said (an exec
  // provider's stderr, a reversal command's output): untrusted text, shown with
  // its control characters as visible stand-ins. --json keeps it exactly.
  if (e instanceof InvalidWorkspaceError) {
    for (const p of e.problems) o.err(paint(o, p.severity === 'error' ? 'red' : 'yellow', safe(formatProblem(p))));
    o.err(`${paint(o, 'red', 'error')} ${e.code}: ${safe(workspaceSummary(e))}`);
  } else if (e instanceof InternalError) {
    // One line, whatever went wrong: the stack is for whoever fixes the bug.
    o.err(`${paint(o, 'red', 'internal error')} ${e.code}: ${safe(oneLine(e.message))}; ${e.hint}`);
    if (debug) o.err(safe(stackOf(e)));
  } else {
    // A message that names its file already says where.
    const where = e.location && !e.message.includes(e.location.file) ? `${formatLocation(e.location)} ` : '';
    o.err(`${safe(where)}${paint(o, 'red', 'error')} ${e.code}: ${safe(e.message)}`);
    if (e.hint) o.err(`  hint: ${safe(e.hint)}`);
    if (debug && e.stack) o.err(safe(e.stack));
  }
  return e.exitCode;
}

/**
 * Every error as an AigovError: a file-system failure on a path is the user's
 * (or the machine's), anything else that is not an AigovError is a bug.
 */
export function classify(err: unknown): AigovError {
  return classifyThrown(err, 'unexpected error');
}

export function errorJson(e: AigovError): ErrorJson {
  if (e instanceof InvalidWorkspaceError) {
    const first = e.problems.find((p) => p.severity === 'error');
    const location = first ? { file: first.file, line: first.line, col: first.col, path: first.path } : null;
    return { code: e.code, message: workspaceSummary(e), hint: null, location, problems: e.problems };
  }
  return { code: e.code, message: e.message, hint: e.hint ?? null, location: e.location ?? null };
}

function workspaceSummary(e: InvalidWorkspaceError): string {
  const n = e.problems.filter((p) => p.severity === 'error').length;
  return `${n} error${n === 1 ? '' : 's'} in the workspace${e.at ? ` at ${e.at}` : ''}: nothing was run or written`;
}

function stackOf(e: AigovError): string {
  const cause = e.cause as Error | undefined;
  return (cause instanceof Error && cause.stack) || e.stack || e.message;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}
