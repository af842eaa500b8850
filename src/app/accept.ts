// `aigov eval --accept`: the observed output becomes the case's `expect`, keeping
// the suite file's comments and layout (a flow case stays a flow case). A case
// is refused, with the reason, when an expect could not make it pass: it failed
// an assertion other than its expect (a regex, a latency limit), it errored, or
// its samples disagree. All cases are written or none.
import { AigovError, UsageError } from '../errors.js';
import type { CaseResult, EvalReport, SuiteResult } from '../core/eval/report.js';
import type { Workspace } from '../core/workspace/workspace.js';
import { applyYamlEdits, type FileEdit } from './yaml-edit.js';

export function acceptOutputs(ws: Workspace, report: EvalReport, names: readonly string[]): { accepted: Set<string> } {
  const accepted = new Set<string>();
  const edits: FileEdit[] = [];
  const refused: string[] = [];
  for (const name of names) {
    const matches = report.suites.flatMap((s) => s.cases.filter((c) => name === c.id || name === `${s.suite}/${c.id}`).map((c) => ({ s, c })));
    if (!matches.length) throw new UsageError(`--accept ${name}: no such case in this run`, { hint: 'name a case as ID or SUITE/ID' });
    for (const { s, c } of matches) {
      const loaded = ws.suites.get(s.suite)!;
      const index = loaded.value.cases.findIndex((x) => x.id === c.id);
      const decision = decide(s, c, loaded.value.cases[index].expect !== undefined);
      if ('refused' in decision) refused.push(`${s.suite}/${c.id}: ${decision.refused}`);
      else {
        edits.push({ file: loaded.source.file, path: ['cases', index, 'expect'], value: decision.expect });
        accepted.add(`${s.suite}/${c.id}`);
      }
    }
  }
  if (refused.length) {
    throw new AigovError('E_CANNOT_ACCEPT', `--accept refused ${refused.length} case${refused.length === 1 ? '' : 's'}, so nothing was written:\n  ${refused.join('\n  ')}`, {
      hint: 'fix those cases by hand, or accept only the others',
    });
  }
  applyYamlEdits(ws.root, edits);
  return { accepted };
}

/** The expect to write, or why writing one would not make the case pass. */
function decide(s: SuiteResult, c: CaseResult, hasExpect: boolean): { expect: unknown } | { refused: string } {
  const errored = c.samples.find((x) => x.error);
  if (errored?.error) return { refused: `it errored (${errored.error.kind}), so there is no output to accept` };
  // The expect shorthand is the first assertion of a case; every later one stays as it is.
  const others = new Set<string>();
  for (const sample of c.samples) for (const a of sample.assertions.slice(hasExpect ? 1 : 0)) if (!a.pass) others.add(`${a.type} (${a.reason})`);
  if (others.size) return { refused: `an expect would not fix its failing ${others.size === 1 ? 'assertion' : 'assertions'}: ${[...others].join('; ')}` };
  const values = c.samples.map((x) => expectOf(s, x.output ?? ''));
  const bad = values.find((v) => 'refused' in v);
  if (bad) return bad;
  const distinct = new Set(values.map((v) => JSON.stringify((v as { expect: unknown }).expect)));
  if (distinct.size > 1) return { refused: `its ${c.samples.length} samples gave ${distinct.size} different outputs, and an expect holds one` };
  return values[0];
}

function expectOf(s: SuiteResult, output: string): { expect: unknown } | { refused: string } {
  if (s.outputType !== 'json') return { expect: output.trim() };
  try {
    return { expect: JSON.parse(output) };
  } catch {
    return { refused: 'the output is not JSON, so it cannot be the expected value of a JSON prompt' };
  }
}
