// Runs the built `aigov` binary, as users and CI do.
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/aigov.js', import.meta.url));

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function aigov(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined>; input?: string; timeout?: number } = {}): Promise<CliResult> {
  const r = await execa('node', [BIN, ...args], {
    cwd: opts.cwd,
    env: { NO_COLOR: '1', TEST_OPENAI_KEY: 'sk-test', TEST_ANTHROPIC_KEY: 'sk-ant-test', ...opts.env },
    input: opts.input,
    reject: false,
    timeout: opts.timeout ?? 60_000,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}
