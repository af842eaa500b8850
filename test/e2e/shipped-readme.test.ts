// .ci/run runs the README's commands on the example workspace "exactly as
// written": this keeps its list and README.md from drifting apart.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const read = (p: string): string => readFileSync(fileURLToPath(new URL(`../../${p}`, import.meta.url)), 'utf8');
const CI_RUN = read('.ci/run');
const README = read('README.md');

/** The commands in .ci/run's `readme_commands=( … )` array. */
function readmeCommands(script: string): string[] {
  const body = /^readme_commands=\(\n([\s\S]*?)\n\)$/m.exec(script)?.[1];
  if (body === undefined) throw new Error('.ci/run has no readme_commands=( … ) array');
  return body.split('\n').map((line) => {
    const m = /^ {2}'([^']+)'$/.exec(line);
    if (!m) throw new Error(`.ci/run: readme_commands holds a line that is not one single-quoted command: ${JSON.stringify(line)}`);
    return m[1];
  });
}

/** The fenced code blocks of a Markdown text, in order. */
const codeBlocks = (md: string): string[] => [...md.matchAll(/^```[^\n]*\n([\s\S]*?)^```$/gm)].map((m) => m[1]);

/** `cmd` as a whole command in a block: at a line's start, after `&&`, or after a workflow's `run:`. */
function runsCommand(block: string, cmd: string): boolean {
  const escaped = cmd.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^\\s*|&&\\s*|-\\s+run:\\s*)${escaped}(\\s*$|\\s+#|\\s*&&)`, 'm').test(block);
}

describe('.ci/run and README.md', () => {
  const commands = readmeCommands(CI_RUN);

  it('runs the README’s main command, npx aigov eval --replay, first', () => {
    expect(commands[0]).toBe('npx aigov eval --replay');
    const [setUp] = codeBlocks(README.slice(README.indexOf('## Set up and try it')));
    expect(runsCommand(setUp, commands[0])).toBe(true);
  });

  it.each(commands)('"%s" is written so in README.md', (cmd) => {
    expect(codeBlocks(README).some((b) => runsCommand(b, cmd))).toBe(true);
  });

  it('also runs validate and pin --check', () => {
    expect(commands).toEqual(expect.arrayContaining(['npx aigov validate', 'npx aigov pin --check']));
  });

  it.each([
    ['a command the README does not have', 'npx aigov eval --replay --quiet'],
    ['a prefix of a longer command', 'npx aigov pin'],
  ])('the check refuses %s', (_what, cmd) => {
    expect(codeBlocks(README).some((b) => runsCommand(b, cmd))).toBe(false);
  });
});
