// The library: what production automations import.
export { openGovernor, Governor } from './app/governor.js';
export type { Run, RunHandle, RunOptions, GovernorOptions } from './app/governor.js';
export { runEval } from './app/eval.js';
export type { EvalOptions } from './app/eval.js';
export { openWorkspace } from './app/workspace.js';
export { openStore } from './store/open.js';
export type { Store, EventQuery } from './store/types.js';
export type { Disposition, EventType, Impact, LoggedEvent, NewEvent } from './core/log/events.js';
export type { EvalReport } from './core/eval/report.js';
export { AigovError, UsageError, InvalidWorkspaceError, GateError, ProviderError, InterruptedError, TierError, InternalError } from './errors.js';
export type { Problem, Location, ExitCode } from './errors.js';
