// The git facts an eval result carries as evidence: which commit, and whether the
// workspace's own files differ from it. Both questions run at once, off the event loop.
import { execFile } from 'node:child_process';

function git(root: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd: root, encoding: 'utf8' }, (err, stdout) => resolve(err ? null : stdout.trim()));
  });
}

const WORKSPACE_PATHS = ['aigov.yaml', 'aigov.lock', 'prompts', 'evals', 'automations', 'fixtures'];

export async function gitState(root: string): Promise<{ commit: string | null; dirty: boolean }> {
  // Only the workspace's files decide whether the result matches the commit; a
  // status of the whole tree can take seconds in a large repository.
  const [commit, status] = await Promise.all([git(root, ['rev-parse', 'HEAD']), git(root, ['status', '--porcelain', '--', ...WORKSPACE_PATHS])]);
  return { commit, dirty: commit !== null && !!status };
}
