// The CLI: flags in, one call into app/, rendered result out. The only place that sets the exit code.
import { Command, CommanderError } from 'commander';
import { createContext, type Context } from '../app/context.js';
import { UsageError, type ExitCode } from '../errors.js';
import { createOutput, type Output } from './output.js';
import { errorJson, reportError } from './report-error.js';
import { COMMANDS } from './commands/index.js';

export interface GlobalOptions {
  root?: string;
  json?: boolean;
  quiet?: boolean;
  debug?: boolean;
  color?: boolean;
}

export type Action = (o: Output, globals: GlobalOptions, ...args: any[]) => Promise<ExitCode>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `ctx`: the clock, ids, environment, git, identity, store and model clients every command reads; built here once. */
export async function main(argv: readonly string[], version: string, ctx: Context = createContext()): Promise<ExitCode> {
  let code: ExitCode = 0;
  let output = createOutput({}, ctx);
  const program = new Command('aigov')
    .description('Govern AI automations: versioned prompts, locked models, eval gates, a tamper-evident run log.')
    .version(version, '-V, --version')
    .option('--root <dir>', 'workspace root (default: nearest folder with aigov.yaml; env AIGOV_ROOT)')
    .option('--json', 'machine-readable output on stdout')
    .option('--quiet', 'print only what a gate needs')
    .option('--no-color', 'no colour')
    .option('--debug', 'show stacks of internal errors')
    .exitOverride()
    // Commander's own usage errors carry the code like every other error.
    .configureOutput({ writeOut: (s) => ctx.terminal.stdout.write(s), writeErr: (s) => ctx.terminal.stderr.write(s), outputError: (s, write) => write(s.replace(/^error: /, 'error E_USAGE: ')) })
    .showSuggestionAfterError(true);

  for (const define of COMMANDS) {
    define(program, (action) => async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const globals = cmd.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
      output = createOutput(globals, ctx);
      code = await action(output, globals, ...args.slice(0, -1));
    }, ctx);
  }

  try {
    await program.parseAsync(argv as string[]);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0; usage errors are 2.
      code = err.exitCode === 0 ? 0 : 2;
      // A command group without its command (`aigov prompt`): commander prints the
      // group's help and says only "(outputHelp)"; the error names what is missing.
      const missing = code !== 0 && err.code === 'commander.help' ? groupAt(program, argv) : undefined;
      const message = missing ? `${missing.name} needs a command: ${missing.commands.join(', ')}` : err.message.replace(/^error: /, '');
      if (missing) ctx.terminal.stderr.write(`error E_USAGE: ${message}\n`);
      // Commander stops before any action has made the output, so --json is read from argv.
      if (code !== 0 && (output.json || wantsJson(argv))) {
        output.out(JSON.stringify({ error: errorJson(new UsageError(message)) }, null, 2));
      }
    } else {
      const globals = program.opts() as GlobalOptions;
      code = reportError(err, output, !!globals.debug);
    }
  }
  process.exitCode = code;
  return code;
}

/** Whether --json is among the options (before a `--` that ends them). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/** The deepest command group that argv names (aigov itself where it names none), with its commands. */
function groupAt(program: Command, argv: readonly string[]): { name: string; commands: string[] } | undefined {
  let cmd = program;
  const path = ['aigov'];
  for (const arg of argv.slice(2)) {
    if (arg === '--') break;
    const sub = arg.startsWith('-') ? undefined : cmd.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!sub) continue;
    cmd = sub;
    path.push(sub.name());
  }
  const commands = cmd.commands.map((c) => c.name()).filter((n) => n !== 'help');
  return commands.length === 0 ? undefined : { name: path.join(' '), commands };
}
