// Everything aigov reads from the world outside its files, in one place: the
// clock, new ids, the process environment, git, who is acting, the run log and
// the model clients. The CLI builds one context per process (cli/main), the
// library one per governor (openGovernor), and both hand it down, so that a
// test hands in a table (a fixed clock, fixed ids, an environment, an identity)
// instead of a terminal, and nothing below reads a global of its own.
import type { GatewayOptions, ModelGateway } from '../providers/gateway.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import { createGit, type Git } from './git.js';
import { createIdentity, type Identity } from './identity.js';
import { uuidv7 } from './ids.js';

/** Opens the run log a store URL names (aigov.yaml's `store:`, or the default), relative to the workspace root. */
export type StoreOpener = (url: string | null | undefined, root: string) => Promise<Store>;

/** Where the CLI writes: stdout for results, stderr for progress and problems. */
export interface Terminal {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface Context {
  /** Now: every event's time, lock entry, window and report month. */
  clock: () => Date;
  /** A new run id (by default a UUIDv7 at the clock's time, so ids sort by when runs started). */
  ids: () => string;
  /** A monotonic time in milliseconds, for durations (not a date). */
  timer: () => number;
  /** The process environment: AIGOV_ROOT, AIGOV_ACTOR, API keys (a workspace's .env goes under it: `workspaceEnv`). */
  env: NodeJS.ProcessEnv;
  /** The folder the workspace root is searched from. */
  cwd: string;
  /** Git on a workspace root. */
  git: (root: string) => Git;
  /** Who is acting: the name given, and what the machine says beside it. */
  identity: Identity;
  /** The run log. */
  openStore: StoreOpener;
  /** The model clients: one gateway over a workspace's providers. */
  gateway: (opts: GatewayOptions) => Promise<ModelGateway>;
  terminal: Terminal;
}

/** The time now: the clock of a context that is handed none. */
export const systemClock = (): Date => new Date();

/**
 * The one default builder: the real clock, UUIDv7 ids, process.env, git, the
 * OS login and host, the store and providers aigov.yaml names, stdout and
 * stderr; any part given in `parts` replaces its default, and the defaults
 * built on another part use the one given (ids on the clock, git and
 * identity on the environment, identity on git).
 */
export function createContext(parts: Partial<Context> = {}): Context {
  const clock = parts.clock ?? systemClock;
  const env = parts.env ?? process.env;
  const git = parts.git ?? ((root: string) => createGit(root, { env }));
  return {
    clock,
    ids: parts.ids ?? (() => uuidv7(clock().getTime())),
    timer: parts.timer ?? (() => performance.now()),
    env,
    cwd: parts.cwd ?? process.cwd(),
    git,
    identity: parts.identity ?? createIdentity({ env, git }),
    openStore: parts.openStore ?? openStore,
    // Loaded when first asked for: most commands call no model, and start-up is a feature.
    gateway: parts.gateway ?? (async (opts) => (await import('../providers/gateway.js')).createGateway(opts)),
    terminal: parts.terminal ?? { stdout: process.stdout, stderr: process.stderr },
  };
}
