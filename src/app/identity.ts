// Who is acting. The name a person gives (--as, AIGOV_ACTOR) is a claim: it is
// logged as they give it, and beside it what this machine says about them (the
// OS login, the host, git's user.email), so a reader can see when the two differ.
import { hostname, userInfo } from 'node:os';
import type { Git } from './git.js';

/** What the machine says about who ran a command. None of it is proof: each part can be set by that person. */
export interface RecordedIdentity {
  osUser: string | null;
  host: string | null;
  gitEmail: string | null;
}

export interface Identity {
  /** --as, then AIGOV_ACTOR, then git's user.email, then the login name. */
  name(root: string, explicit?: string): Promise<string>;
  /** What the machine says: the OS login, the host, git's user.email. */
  recorded(root: string): Promise<RecordedIdentity>;
  /** The name a person gave, with what the machine says beside it: every decision is recorded with both. */
  reviewer(root: string, explicit?: string): Promise<{ name: string; identity: RecordedIdentity }>;
}

/** What the operating system says: the login name and the host name (null where it cannot say). */
export interface Machine {
  osUser(): string | null;
  host(): string | null;
}

export const OS_MACHINE: Machine = {
  osUser: () => {
    try {
      return userInfo().username || null;
    } catch {
      return null;
    }
  },
  host: () => {
    try {
      return hostname() || null;
    } catch {
      return null; // no host name to give
    }
  },
};

/** The identity resolver of a context: AIGOV_ACTOR from `env`, user.email through `git`, the rest from the machine. */
export function createIdentity(deps: { env: NodeJS.ProcessEnv; git: (root: string) => Git; machine?: Machine }): Identity {
  const machine = deps.machine ?? OS_MACHINE;
  const gitEmail = (root: string): Promise<string | null> => deps.git(root).userEmail();
  const name = async (root: string, explicit?: string): Promise<string> => {
    if (explicit) return explicit;
    if (deps.env.AIGOV_ACTOR) return deps.env.AIGOV_ACTOR;
    const email = await gitEmail(root);
    if (email) return email;
    return machine.osUser() ?? 'unknown';
  };
  const recorded = async (root: string): Promise<RecordedIdentity> => ({ osUser: machine.osUser(), host: machine.host(), gitEmail: await gitEmail(root) });
  return {
    name,
    recorded,
    async reviewer(root, explicit) {
      const [n, identity] = await Promise.all([name(root, explicit), recorded(root)]);
      return { name: n, identity };
    },
  };
}
