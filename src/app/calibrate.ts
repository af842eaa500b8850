// `aigov calibrate X`: the statistics of X's runs (the runs table's
// aggregates, read-stats.ts), calibration from its
// graded ones, and with `--apply` the threshold written into X's file and
// logged, both or neither.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { calibrate, type Calibration } from '../core/calibration/calibrate.js';
import { newWindow, windowStats } from '../core/stats/window-stats.js';
import { didYouMean } from '../core/suggest.js';
import type { Workspace } from '../core/workspace/workspace.js';
import { writeFileAtomic } from '../fs/atomic.js';
import type { Store } from '../store/types.js';
import { readStats } from './read-stats.js';
import { applyYamlEdits } from './yaml-edit.js';

export async function calibrateAutomation(store: Store, ws: Workspace, opts: { automation: string; targetPrecision?: number; now: Date }): Promise<Calibration> {
  const a = ws.automations.get(opts.automation);
  if (!a) throw new UsageError(`unknown automation "${opts.automation}"`, { hint: didYouMean(opts.automation, ws.automations.keys()) ?? 'aigov calibrate takes an automation id' });
  const threshold = a.value.confidence?.threshold;
  const { stats } = await readStats(store, { asOf: opts.now.toISOString(), automation: opts.automation, thresholds: new Map([[opts.automation, threshold]]) });
  const s = stats.automations.find((x) => x.automation === opts.automation);
  return calibrate({ automation: opts.automation, stats: s?.total ?? windowStats(newWindow('total')), targetPrecision: opts.targetPrecision, currentThreshold: threshold });
}

export interface Applied {
  file: string;
  from: number | null;
  to: number;
  /** False when the file already said this threshold: nothing was written or logged. */
  changed: boolean;
}

/** Writes `confidence.threshold` (comments and layout kept) and logs `threshold_changed` with the evidence; on a failed append the file is put back. */
export async function applyThreshold(store: Store, ws: Workspace, c: Calibration, by: string, now: Date): Promise<Applied> {
  if (c.threshold === null) throw new Error('applyThreshold needs a threshold'); // the command checks first
  const a = ws.automations.get(c.automation)!;
  const file = a.source.file;
  const from = a.value.confidence?.threshold ?? null;
  if (from === c.threshold) return { file, from, to: c.threshold, changed: false };
  const path = join(ws.root, file);
  const before = readFileSync(path, 'utf8');
  applyYamlEdits(ws.root, [{ file, path: ['confidence', 'threshold'], value: c.threshold }]);
  try {
    await store.append([
      {
        type: 'threshold_changed',
        automation: c.automation,
        actor: by,
        at: now.toISOString(),
        data: {
          from,
          to: c.threshold,
          by,
          reason: `aigov calibrate --target-precision ${c.targetPrecision}`,
          evidence: { targetPrecision: c.targetPrecision, level: c.level, graded: c.graded, sample: c.sample, autoPassed: c.autoPassed, coverage: c.coverage, ece: c.ece, brier: c.brier },
        },
      },
    ]);
  } catch (err) {
    writeFileAtomic(path, before);
    throw err;
  }
  return { file, from, to: c.threshold, changed: true };
}
