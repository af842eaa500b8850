// `aigov eval --merge FILE…`: reads the shard reports and merges them. Runs nothing.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { mergeShardReports, type ShardInput } from '../core/eval/merge.js';
import { checkReport } from '../core/eval/report-schema.js';
import { REPORT_VERSION, type EvalReport } from '../core/eval/report.js';

export function mergeReportFiles(files: readonly string[], cwd = process.cwd()): EvalReport {
  return mergeShardReports(files.map((file) => readShardReport(file, cwd)));
}

export function readShardReport(file: string, cwd = process.cwd()): ShardInput {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as NodeJS.ErrnoException).code === 'EISDIR' ? 'a folder, not a file' : (err as Error).message;
    throw new UsageError(`${file}: cannot read it: ${why}`, { code: 'E_MERGE_BAD_REPORT' });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not JSON: ${(err as Error).message}`, { code: 'E_MERGE_BAD_REPORT', hint: 'write shard reports with `aigov eval --shard i/n -o shard-i.json`' });
  }
  const version = (value as { version?: unknown } | null)?.version;
  if (version !== REPORT_VERSION) {
    const what = version === undefined ? 'is not an aigov eval report (no version)' : `is an eval report of version ${JSON.stringify(version)}; this aigov reads version ${REPORT_VERSION}`;
    throw new UsageError(`${file} ${what}`, { code: 'E_MERGE_BAD_REPORT', hint: 'merge reports written by the same aigov that merges them' });
  }
  const checked = checkReport(value);
  if ('problems' in checked) throw new UsageError(`${file} is not a complete eval report: ${checked.problems.join('; ')}`, { code: 'E_MERGE_BAD_REPORT' });
  return { file, report: checked.report };
}
