// Who is acting: --as, then AIGOV_ACTOR, then git's user.email, then the login name.
import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';

export async function whoAmI(root: string, explicit?: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (explicit) return explicit;
  if (env.AIGOV_ACTOR) return env.AIGOV_ACTOR;
  const email = await new Promise<string>((resolve) => execFile('git', ['config', 'user.email'], { cwd: root, encoding: 'utf8' }, (err, out) => resolve(err ? '' : out.trim())));
  if (email) return email;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
