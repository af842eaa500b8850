// The figures as they stood at an instant: what the dashboard and the report
// read of the past (the backlog and the evals at the end of a window). Defined
// as the fold of the events dated before the instant, so the runs table can
// answer it by times alone. Pure.
import type { Backlog } from './backlog.js';
import type { SuiteEvals } from './evals.js';
import type { Statistics } from './fold.js';

export interface Snapshot {
  asOf: string;
  /** The automations with runs waiting, by id. */
  automations: { automation: string; backlog: Backlog }[];
  evals: SuiteEvals[];
}

/** What a Statistics says of the instant it was taken at. */
export function snapshotOf(s: Statistics): Snapshot {
  return {
    asOf: s.asOf,
    automations: s.automations.filter((a) => a.backlog.count > 0).map((a) => ({ automation: a.automation, backlog: a.backlog })),
    evals: s.evals,
  };
}
