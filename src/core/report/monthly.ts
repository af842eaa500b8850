// `aigov report --month M`: each automation this month against last, with the
// flags of flags.ts. The fold runs once over the log with the windows below;
// this assembles what it found. Pure.
import { emptyBacklog } from '../stats/backlog.js';
import { evalEvidence, type SuiteEvals } from '../stats/evals.js';
import type { WindowCuts } from '../stats/aggregate.js';
import type { ResultOptions, Statistics } from '../stats/fold.js';
import type { Snapshot } from '../stats/snapshot.js';
import { byMonth } from '../stats/windows.js';
import { newWindow, windowStats } from '../stats/window-stats.js';
import { gates } from '../tiers/gates.js';
import { asTier, type AutomationInfo } from './automation-info.js';
import { figures, lastEvalOf, type Figures } from './figures.js';
import { flags, type Flag } from './flags.js';
import { addMonths, monthStart } from './month.js';
import { reviewMissed } from './review-missed.js';

/** A window of the report's fold: the month a run started in, marked when it started before its automation's last tier change. */
export function monthlyWindowOf(tierChangedAt: ReadonlyMap<string, string>): (at: string, automation: string) => string {
  const since = new Map([...tierChangedAt].map(([a, t]) => [a, Date.parse(t)]));
  return (at, automation) => {
    const t = since.get(automation);
    return t !== undefined && Date.parse(at) < t ? `${byMonth(at)} before` : byMonth(at);
  };
}

/** Where `monthlyWindowOf` changes besides the month: at each automation's last tier change. */
export function monthlyCuts(tierChangedAt: ReadonlyMap<string, string>): WindowCuts {
  return { at: [], byAutomation: tierChangedAt };
}

export function monthlyGroups(month: string): ResultOptions {
  const previous = addMonths(month, -1);
  return {
    groups: {
      current: (w) => w.startsWith(month),
      previous: (w) => w.startsWith(previous),
      sinceTierChange: (w) => !w.endsWith(' before'),
    },
  };
}

/** The instants the report needs the backlog and the evals at: the end of the previous month and of this one. */
export function monthlyBoundaries(month: string): { endOfPrevious: string; endOfMonth: string } {
  return { endOfPrevious: monthStart(month), endOfMonth: monthStart(addMonths(month, 1)) };
}

export interface MonthlyInput {
  month: string;
  /** Now: what the promotion gates are judged at. */
  asOf: string;
  automations: readonly AutomationInfo[];
  /** The fold over the whole log, with `monthlyWindowOf` and `monthlyGroups`. */
  stats: Statistics;
  /** The backlog and evals as they stood at each boundary (or now, for a boundary still ahead). */
  endOfPrevious: Snapshot;
  endOfMonth: Snapshot;
  /** The months each automation's review was signed off for. */
  signedOff: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface AutomationReport {
  id: string;
  name: string;
  owner: string;
  tier: number;
  /** False for an automation that has runs in the log but no file any more. */
  inWorkspace: boolean;
  current: Figures;
  previous: Figures;
  flags: Flag[];
}

export interface MonthlyReport {
  month: string;
  previousMonth: string;
  asOf: string;
  automations: AutomationReport[];
}

export function buildMonthlyReport(input: MonthlyInput): MonthlyReport {
  const { month, stats } = input;
  const previousMonth = addMonths(month, -1);
  const known = new Map(input.automations.map((a) => [a.id, a]));
  const byId = new Map(stats.automations.map((a) => [a.automation, a]));
  const empty = windowStats(newWindow('none'));
  const infos: AutomationInfo[] = [...input.automations];
  // Runs in the log of an automation whose file is gone still get reviewed.
  for (const a of stats.automations) {
    if (known.has(a.automation) || !((a.groups.current?.started ?? 0) + (a.groups.previous?.started ?? 0))) continue;
    infos.push(orphan(a.automation));
  }
  infos.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));

  const automations = infos.map((info): AutomationReport => {
    const s = byId.get(info.id);
    const current = s?.groups.current ?? empty;
    const previous = s?.groups.previous ?? empty;
    const at = (snap: Snapshot) => snap.automations.find((x) => x.automation === info.id)?.backlog ?? emptyBacklog();
    const runsIn = (m: string) => (s?.windows ?? []).filter((w) => w.window.startsWith(m)).reduce((n, w) => n + w.started, 0);
    const evalFor = (evals: readonly SuiteEvals[], suite: string) => (info.evalTarget && evalEvidence(evals, suite, info.evalTarget)) || evals.find((e) => e.suite === suite)?.last || null;
    const since = s?.groups.sinceTierChange ?? empty;
    const gateList =
      info.tier > 1 && known.has(info.id)
        ? gates({
            ...info.gateFacts,
            to: asTier(info.tier),
            runs: since,
            oldestWaitingAt: s?.backlog.oldestAt ?? null,
            asOf: input.asOf,
            evals: info.suites.map((suite) => ({ suite, evidence: info.evalTarget ? evalEvidence(stats.evals, suite, info.evalTarget) : null })),
          })
        : null;
    return {
      id: info.id,
      name: info.name,
      owner: info.owner,
      tier: info.tier,
      inWorkspace: known.has(info.id),
      current: figures(current, at(input.endOfMonth), lastEvalOf(input.endOfMonth.evals, info.suites)),
      previous: figures(previous, at(input.endOfPrevious), lastEvalOf(input.endOfPrevious.evals, info.suites)),
      flags: flags({
        automation: info.id,
        tier: info.tier,
        threshold: info.threshold,
        current,
        previous,
        reviewMissed: reviewMissed(month, info.cadence, input.signedOff.get(info.id) ?? new Set(), runsIn),
        evals: info.suites.map((suite) => ({ suite, record: evalFor(stats.evals, suite) })),
        gates: gateList ? { list: gateList, started: since.started } : null,
      }),
    };
  });
  return { month, previousMonth, asOf: input.asOf, automations };
}

/** What is known of an automation that has runs in the log and no file: its id. */
export function orphan(id: string): AutomationInfo {
  return {
    id,
    name: id,
    owner: '',
    tier: 1,
    fileTier: 1,
    cadence: 'monthly',
    suites: [],
    evalTarget: null,
    drift: [],
    tierDrift: false,
    gateFacts: { owner: undefined, governance: undefined, lockDrift: [], reversal: false, notify: false },
  };
}

