// Runs an automation's notify or reversal command with a JSON document on stdin.
export interface CommandResult {
  ok: boolean;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export async function runJsonCommand(command: readonly string[], payload: unknown, opts: { cwd: string; timeoutMs?: number }): Promise<CommandResult> {
  const { execa } = await import('execa');
  const [file, ...args] = command;
  const r = await execa(file, args, { cwd: opts.cwd, input: JSON.stringify(payload), reject: false, timeout: opts.timeoutMs ?? 60_000, stripFinalNewline: true });
  const exitCode = typeof r.exitCode === 'number' ? r.exitCode : null;
  // A command that could not start or was killed leaves no stderr: say why instead.
  const stderr = String(r.stderr ?? '') || (exitCode === null ? String(r.shortMessage ?? r.message ?? '') : '');
  return { ok: exitCode === 0 && !r.failed, exitCode, stdout: clip(String(r.stdout ?? '')), stderr: clip(stderr) };
}

/** One line for a person: how the command ended and the first line it wrote to stderr. */
export function describeFailure(r: CommandResult): string {
  const how = r.exitCode === null ? 'it did not run to the end' : `exit ${r.exitCode}`;
  const why = r.stderr.split('\n')[0];
  return why ? `${how}: ${why}` : how;
}

// Command output goes into the run log: keep it to what a person reads.
function clip(s: string): string {
  return s.length > 4000 ? `${s.slice(0, 4000)}… (${s.length - 4000} more characters)` : s;
}
