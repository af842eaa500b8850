// Who is acting: --as, then AIGOV_ACTOR, then git's user.email, then the login name.
import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';

export function whoAmI(root: string, explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return explicit;
  if (env.AIGOV_ACTOR) return env.AIGOV_ACTOR;
  try {
    const email = execFileSync('git', ['config', 'user.email'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (email) return email;
  } catch {
    // not a git checkout, or git has no user.email: fall through
  }
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
