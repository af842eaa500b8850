// Who is acting. The name a person gives (--as, AIGOV_ACTOR) is a claim: it is
// logged as they give it, and beside it what this machine says about them (the
// OS login, the host, git's user.email), so a reader can see when the two differ.
import { execFile } from 'node:child_process';
import { hostname, userInfo } from 'node:os';

/** What the machine says about who ran a command. None of it is proof: each part can be set by that person. */
export interface RecordedIdentity {
  osUser: string | null;
  host: string | null;
  gitEmail: string | null;
}

/** --as, then AIGOV_ACTOR, then git's user.email, then the login name. */
export async function whoAmI(root: string, explicit?: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (explicit) return explicit;
  if (env.AIGOV_ACTOR) return env.AIGOV_ACTOR;
  const email = await gitEmail(root);
  if (email) return email;
  return osUser() ?? 'unknown';
}

export async function recordedIdentity(root: string): Promise<RecordedIdentity> {
  let host: string | null = null;
  try {
    host = hostname() || null;
  } catch {
    // no host name to give
  }
  return { osUser: osUser(), host, gitEmail: (await gitEmail(root)) || null };
}

/** The name a person gave, with what the machine says beside it: every decision is recorded with both. */
export async function reviewerOf(root: string, explicit?: string, env: NodeJS.ProcessEnv = process.env): Promise<{ name: string; identity: RecordedIdentity }> {
  const [name, identity] = await Promise.all([whoAmI(root, explicit, env), recordedIdentity(root)]);
  return { name, identity };
}

function gitEmail(root: string): Promise<string> {
  return new Promise((resolve) => execFile('git', ['config', 'user.email'], { cwd: root, encoding: 'utf8' }, (err, out) => resolve(err ? '' : out.trim())));
}

function osUser(): string | null {
  try {
    return userInfo().username || null;
  } catch {
    return null;
  }
}
