// Where the CLI writes: results to stdout, progress and problems to stderr.
// Colour only on a TTY and never with NO_COLOR or CI set.
import type { Context } from '../app/context.js';

export interface Output {
  json: boolean;
  quiet: boolean;
  color: boolean;
  /** Progress bars and spinners: a TTY on stderr, and not in CI. */
  progress: boolean;
  out(text: string): void;
  err(text: string): void;
}

export function createOutput(opts: { json?: boolean; quiet?: boolean; color?: boolean }, { env, terminal }: Pick<Context, 'env' | 'terminal'>): Output {
  const ci = !!env.CI && env.CI !== 'false';
  const color = opts.color !== false && !env.NO_COLOR && !ci && !!terminal.stdout.isTTY;
  return {
    json: !!opts.json,
    quiet: !!opts.quiet,
    color,
    progress: !opts.quiet && !ci && !!terminal.stderr.isTTY,
    out: (text) => void terminal.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => void terminal.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  };
}

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;

export function paint(o: Pick<Output, 'color'>, style: keyof typeof CODES, text: string): string {
  return o.color ? `\x1b[${CODES[style]}m${text}\x1b[0m` : text;
}
