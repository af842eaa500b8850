// Runs a composite action's steps the way the GitHub runner does: action.yml
// parsed, inputs defaulted, each `run:` step written to a file and run with
// `bash --noprofile --norc -eo pipefail` in its working directory, with its own
// GITHUB_OUTPUT file, one GITHUB_STEP_SUMMARY, and the step's `env` evaluated.
// Only the expressions the action may use are understood (inputs, steps'
// outputs, github.action_path): any other one fails the run, so the action
// cannot come to rely on something this runner fakes.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

interface ActionFile {
  inputs?: Record<string, { default?: string; required?: boolean }>;
  outputs?: Record<string, { value: string }>;
  runs: { using: string; steps: StepFile[] };
}

interface StepFile {
  id?: string;
  name?: string;
  if?: string;
  shell?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}

export interface StepResult {
  id: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
}

export interface ActionResult {
  /** 0 when every step passed; else the code of the step that failed, after which no step ran. */
  exitCode: number;
  outputs: Record<string, string>;
  steps: StepResult[];
  /** What the steps appended to GITHUB_STEP_SUMMARY. */
  summary: string;
  /** Every step's stdout and stderr, in order. */
  log: string;
}

export interface RunActionOptions {
  /** The folder of action.yml. */
  actionPath: string;
  inputs?: Record<string, string>;
  /** The job's environment: GITHUB_* and the rest. GITHUB_WORKSPACE is where working directories start. */
  env: Record<string, string | undefined>;
}

export async function runAction(opts: RunActionOptions): Promise<ActionResult> {
  const action = parse(readFileSync(join(opts.actionPath, 'action.yml'), 'utf8')) as ActionFile;
  if (action.runs.using !== 'composite') throw new Error(`not a composite action: runs.using is ${action.runs.using}`);
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs ?? {})) inputs[name] = opts.inputs?.[name] ?? spec.default ?? '';
  for (const name of Object.keys(opts.inputs ?? {})) if (!(name in inputs)) throw new Error(`the action has no input "${name}"`);
  for (const [name, spec] of Object.entries(action.inputs ?? {})) if (spec.required && !inputs[name]) throw new Error(`input "${name}" is required`);

  const workspace = opts.env.GITHUB_WORKSPACE;
  if (!workspace) throw new Error('GITHUB_WORKSPACE must be set');
  const temp = mkdtempSync(join(tmpdir(), 'aigov-runner-'));
  const summaryFile = join(temp, 'step-summary.md');
  writeFileSync(summaryFile, '');
  const stepOutputs: Record<string, Record<string, string>> = {};
  const context = (expr: string): string => {
    const m = /^\s*(inputs|steps|github)\.([A-Za-z0-9_-]+)(?:\.outputs\.([A-Za-z0-9_-]+))?\s*$/.exec(expr);
    if (m?.[1] === 'inputs' && !m[3]) {
      if (!(m[2] in inputs)) throw new Error(`the expression \${{${expr}}} names no input`);
      return inputs[m[2]];
    }
    if (m?.[1] === 'steps' && m[3]) return stepOutputs[m[2]]?.[m[3]] ?? '';
    if (m?.[1] === 'github' && m[2] === 'action_path' && !m[3]) return opts.actionPath;
    throw new Error(`the runner in the tests does not understand the expression \${{${expr}}}`);
  };
  const evaluate = (text: string): string => text.replace(/\$\{\{(.*?)\}\}/g, (_, expr: string) => context(expr));

  const steps: StepResult[] = [];
  let log = '';
  let n = 0;
  for (const step of action.runs.steps) {
    const id = step.id ?? `__step${n}`;
    n++;
    if (step.uses) throw new Error(`step ${id}: the runner in the tests runs only run: steps`);
    if (step.if !== undefined) throw new Error(`step ${id}: the runner in the tests does not evaluate if:`);
    if (step.shell !== 'bash') throw new Error(`step ${id}: shell is ${step.shell ?? 'unset'}; a composite step needs shell: bash here`);
    if (/\$\{\{/.test(step.run ?? '')) throw new Error(`step ${id}: an expression inside run: (inputs go through env)`);
    const script = join(temp, `${id}.sh`);
    writeFileSync(script, step.run ?? '');
    const outputFile = join(temp, `${id}.output`);
    writeFileSync(outputFile, '');
    const env: Record<string, string | undefined> = { ...opts.env, GITHUB_ACTION_PATH: opts.actionPath, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = evaluate(String(v));
    const cwd = resolve(workspace, evaluate(step['working-directory'] ?? '.'));
    const r = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, extendEnv: false, reject: false, timeout: 120_000 });
    const outputs = parseOutputs(readFileSync(outputFile, 'utf8'));
    stepOutputs[id] = outputs;
    const result = { id, exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), outputs };
    steps.push(result);
    log += `--- ${id} (exit ${result.exitCode})\n${result.stdout}\n${result.stderr}\n`;
    if (result.exitCode !== 0) break;
  }
  const failed = steps.find((s) => s.exitCode !== 0);
  const outputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.outputs ?? {})) outputs[name] = evaluate(spec.value);
  const summary = readFileSync(summaryFile, 'utf8');
  rmSync(temp, { recursive: true, force: true });
  return { exitCode: failed?.exitCode ?? 0, outputs, steps, summary, log };
}

/** GITHUB_OUTPUT's two forms: `name=value` and `name<<DELIMITER` … `DELIMITER`. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], i + 1);
      if (end < 0) throw new Error(`GITHUB_OUTPUT: no end ${heredoc[2]} for ${heredoc[1]}`);
      out[heredoc[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`GITHUB_OUTPUT: a line that is neither name=value nor name<<EOF: ${line}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** The folder that holds this repository's action.yml. */
export const ACTION_PATH = fileURLToPath(new URL('../..', import.meta.url));
