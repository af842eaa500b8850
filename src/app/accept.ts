// `aigov eval --accept`: the observed output becomes the case's `expect`, keeping
// the suite file's comments and layout.
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { EvalReport } from '../core/eval/report.js';
import type { Workspace } from '../core/workspace/workspace.js';
import { writeFilesAtomic } from '../fs/atomic.js';

export function acceptOutputs(ws: Workspace, report: EvalReport, names: readonly string[]): { accepted: Set<string> } {
  const accepted = new Set<string>();
  const touched = new Map<string, { file: string; doc: import('yaml').Document.Parsed }>();
  for (const name of names) {
    const matches = report.suites.flatMap((s) => s.cases.filter((c) => name === c.id || name === `${s.suite}/${c.id}`).map((c) => ({ s, c })));
    if (!matches.length) throw new UsageError(`--accept ${name}: no such case in this run`, { hint: 'name a case as ID or SUITE/ID' });
    for (const { s, c } of matches) {
      const sample = c.samples[0];
      if (!sample || sample.error || sample.output === undefined) throw new UsageError(`--accept ${name}: the case errored, there is no output to accept`);
      const loaded = ws.suites.get(s.suite)!;
      const index = loaded.value.cases.findIndex((x) => x.id === c.id);
      const entry = touched.get(s.suite) ?? { file: loaded.source.file, doc: loaded.source.doc.clone() as import('yaml').Document.Parsed };
      entry.doc.setIn(['cases', index, 'expect'], s.outputType === 'json' ? parseJsonOutput(sample.output, name) : sample.output.trim());
      touched.set(s.suite, entry);
      accepted.add(`${s.suite}/${c.id}`);
    }
  }
  // All files or none: a half-accepted set of suites would be confusing to review.
  writeFilesAtomic([...touched.values()].map((t) => ({ path: join(ws.root, t.file), content: t.doc.toString() })));
  return { accepted };
}

function parseJsonOutput(output: string, name: string): unknown {
  try {
    return JSON.parse(output);
  } catch {
    throw new UsageError(`--accept ${name}: the output is not JSON, so it cannot be the expected value of a JSON prompt`);
  }
}
