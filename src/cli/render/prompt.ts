// `aigov prompt show | diff | history` for people. A prompt's text, its params,
// commit subjects and author names are untrusted: everything from a file or
// from git passes through terminalSafe before it is painted.
import Table from 'cli-table3';
import type { PromptDiffResult } from '../../app/prompt-diff.js';
import { describePlace, type PromptSnapshot } from '../../app/prompt-at.js';
import type { PromptHistory } from '../../app/prompt-history.js';
import type { PromptModel } from '../../core/prompt/diff.js';
import type { EvalSummary } from '../../core/prompt/history.js';
import type { StructuralChange } from '../../core/structural-diff.js';
import type { Prompt } from '../../core/workspace/schemas.js';
import { paint, type Output } from '../output.js';
import { terminalSafe } from './terminal-safe.js';

const safe = terminalSafe;
const json = (v: unknown): string => safe(JSON.stringify(v) ?? 'undefined');
const short = (sha: string): string => sha.slice(0, 12);

export function renderPromptShow(s: PromptSnapshot, o: Output): string {
  const p = s.prompt;
  const lines = [paint(o, 'bold', `prompt ${safe(s.id)}, version ${p.version}, at ${safe(describePlace(s))}`)];
  const field = (name: string, value: string): void => void lines.push(`  ${name.padEnd(11)} ${value}`);
  field('sha256', s.sha256);
  field('file', safe(s.file));
  if (s.at.kind === 'commit' && s.at.date) field('committed', `${safe(s.at.date)} by ${safe(s.at.author ?? '?')}`);
  if (p.description) field('description', safe(p.description));
  field('model', model(s.model));
  field('params', json(p.params));
  field('output', output(p));
  field('vars', Object.keys(p.vars).length ? Object.entries(p.vars).map(([name, v]) => `${safe(name)} (${v.type}${v.required ? ', required' : ''}${v.maxLength ? `, maxLength ${v.maxLength}` : ''})`).join(', ') : 'none');
  for (const n of s.notes) lines.push(paint(o, 'yellow', `note: ${safe(n)}`));
  for (const m of p.messages) lines.push('', paint(o, 'dim', `[${m.role}]`), safe(m.content.replace(/\n$/, '')));
  return lines.join('\n');
}

function model(m: PromptModel): string {
  const requested = m.requested ? ` = ${safe(m.requested)}` : ' (not in aigov.yaml)';
  const pinned = m.resolved ? `, pinned ${safe(m.resolved)}` : m.requested ? ', not pinned in aigov.lock' : '';
  return `${safe(m.name)}${requested}${pinned}`;
}

function output(p: Prompt): string {
  return `${p.output.type}, confidence ${safe(p.output.confidence)}${p.output.schema ? `, schema ${json(p.output.schema)}` : ''}`;
}

export function renderPromptDiff(r: PromptDiffResult, o: Output): string {
  const d = r.diff;
  const side = (s: PromptDiffResult['a']): string => `${safe(s.label)}, version ${s.version}`;
  const lines = [paint(o, 'bold', `prompt ${safe(r.id)}: ${side(r.a)} → ${side(r.b)}`)];
  for (const n of r.notes) lines.push(paint(o, 'yellow', `note: ${safe(n)}`));
  if (d.same) {
    lines.push(`no change: the same content (sha256 ${short(r.a.sha256)}) and the same model pin`);
    if (d.version.from !== d.version.to) lines.push(`the version number went from ${d.version.from} to ${d.version.to} without a change of content`);
    if (d.description) lines.push(`description: ${json(d.description.from)} → ${json(d.description.to)}`);
    return lines.join('\n');
  }
  lines.push(`content   ${d.contentChanged ? `${short(r.a.sha256)} → ${short(r.b.sha256)}` : `unchanged (${short(r.a.sha256)})`}`);
  lines.push(`model     ${d.model.changed ? `${model(d.model.from)} → ${model(d.model.to)}` : `unchanged: ${model(d.model.to)}`}`);
  lines.push(`messages  ${d.messages.changed ? '' : 'unchanged'}`.trimEnd());
  for (const [i, h] of d.messages.hunks.entries()) {
    if (i > 0) lines.push('  …');
    lines.push(paint(o, 'dim', `  @@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`));
    for (const line of h.lines) {
      const text = safe(line.slice(1));
      if (line[0] === '-') lines.push(paint(o, 'red', `  - ${text}`));
      else if (line[0] === '+') lines.push(paint(o, 'green', `  + ${text}`));
      else if (line[0] === ' ') lines.push(`    ${text}`);
    }
  }
  for (const [name, changes] of [['params', d.params], ['output', d.output], ['vars', d.vars]] as const) {
    lines.push(`${name.padEnd(9)} ${changes.length ? '' : 'unchanged'}`.trimEnd());
    for (const c of changes) lines.push(change(c, o));
  }
  if (d.description) lines.push(`description ${json(d.description.from)} → ${json(d.description.to)} (not part of the content)`);
  if (d.notBumped) lines.push(paint(o, 'yellow', `warning: the content changed but the version is still ${d.version.to}: set version: ${d.version.to + 1} before it is merged (aigov pin --check fails on this)`));
  return lines.join('\n');
}

function change(c: StructuralChange, o: Output): string {
  const at = c.path ? safe(c.path) : '(all)';
  if (c.kind === 'added') return paint(o, 'green', `  + ${at}: ${json(c.to)}`);
  if (c.kind === 'removed') return paint(o, 'red', `  - ${at}: ${json(c.from)}`);
  return `  ${at}: ${paint(o, 'red', json(c.from))} → ${paint(o, 'green', json(c.to))}`;
}

export function renderPromptHistory(h: PromptHistory, o: Output): string {
  const committed = h.versions.filter((v) => v.commit).length;
  const lines = [paint(o, 'bold', `prompt ${safe(h.id)}: ${committed} version${committed === 1 ? '' : 's'} in git${h.versions.length > committed ? ', and the working tree' : ''}`)];
  const table = new Table({ head: ['version', 'sha256', 'first commit', 'date', 'author', 'evals recorded'], style: { head: o.color ? ['bold'] : [], border: o.color ? ['grey'] : [] } });
  for (const v of h.versions) {
    const flagged = v.flags.length ? ' !' : '';
    table.push([
      `${v.version}${flagged}`,
      short(v.sha256),
      v.commit ? v.commit.slice(0, 7) : 'working tree',
      safe(v.date ?? '-'),
      v.author ? safe(`${v.author} <${v.email ?? ''}>`) : '-',
      v.evals.length ? v.evals.map(evalLine).join('\n') : 'none',
    ]);
  }
  if (h.versions.length) lines.push(table.toString());
  for (const v of h.versions) for (const f of v.flags) lines.push(paint(o, 'yellow', `! version ${v.version} (${v.commit ? v.commit.slice(0, 7) : 'working tree'}): ${safe(f.message)}`));
  for (const i of h.invalid) lines.push(paint(o, 'yellow', `invalid at ${i.commit ? i.commit.slice(0, 7) : 'the working tree'}: ${i.problems.map(safe).join('; ')}`));
  for (const n of h.notes) lines.push(`note: ${safe(n)}`);
  return lines.join('\n');
}

/** The newest result of one suite on one model: "inv: passed, 2/2 cases, openai:…, 2026-11-20 (3 runs, 2 passed)". */
function evalLine(e: EvalSummary): string {
  const verdict = e.last.passed ? 'passed' : 'failed';
  const passedCases = Math.round(e.last.passRate * e.last.cases);
  const how = [e.mode === 'live' ? '' : e.mode, e.shard ? `shard ${e.shard.index}/${e.shard.count}` : ''].filter(Boolean).join(' ');
  const runs = e.runs > 1 ? ` (${e.runs} runs, ${e.passedRuns} passed)` : '';
  return safe(`${e.suite}: ${verdict}, ${passedCases}/${e.last.cases} cases, ${e.model}${how ? ` ${how}` : ''}, ${e.last.at.slice(0, 10)}${runs}`);
}
