// The library: what production automations import.
//
// No store handle is exported or reachable from a Governor: everything an
// automation writes to the run log goes through run, start, act and tag, which
// enforce the tier. `gov.runs` reads.
export { openGovernor, Governor } from './app/governor.js';
export type { Run, RunHandle, RunOptions, RunReader, GovernorOptions } from './app/governor.js';
// What a governor reads of the world outside its files; `openGovernor({ context })` takes any part of it.
export type { Context } from './app/context.js';
export { runEval } from './app/eval.js';
export type { EvalOptions } from './app/eval.js';
// Runs the suites and records eval_completed in the run log: the evidence `aigov promote` reads.
export { evalGate } from './app/eval-gate.js';
export type { EvalGateOptions, EvalGateResult, EvidenceOptions } from './app/eval-gate.js';
export { openWorkspace } from './app/workspace.js';
export type { Store, EventQuery } from './store/types.js';
export type { Disposition, EventType, Impact, LoggedEvent, NewEvent } from './core/log/events.js';
export type { EvalReport } from './core/eval/report.js';
export { AigovError, UsageError, InvalidWorkspaceError, GateError, ProviderError, InterruptedError, TierError, ConflictError, InternalError } from './errors.js';
export type { Problem, Location, ExitCode, ErrorCode } from './errors.js';
