// A git repository for tests, made in a temporary folder by the test itself:
// commits with a fixed author and date, so logs and histories are exact.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface TestRepo {
  /** The repository's top folder. */
  dir: string;
  /** Environment that keeps git away from the user's own configuration and any repository above the temporary folder. */
  env: NodeJS.ProcessEnv;
  write(path: string, content: string | Buffer): void;
  remove(path: string): void;
  git(...args: string[]): string;
  /** Stages everything and commits; returns the commit id. */
  commit(message: string, opts?: { date?: string; author?: string; email?: string }): string;
  cleanup(): void;
}

export function gitRepo(files: Record<string, string> = {}): TestRepo {
  const dir = mkdtempSync(join(tmpdir(), 'aigov-git-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CEILING_DIRECTORIES: dirname(dir),
  };
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, env, stdio: 'pipe' }).toString('utf8');
  const write = (path: string, content: string | Buffer): void => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  };
  git('init', '-q', '-b', 'main');
  for (const [path, content] of Object.entries(files)) write(path, content);
  let n = 0;
  return {
    dir,
    env,
    write,
    remove: (path) => rmSync(join(dir, path), { recursive: true, force: true }),
    git,
    commit(message, opts = {}) {
      // One minute apart by default, so that order by date is order of commits.
      const date = opts.date ?? new Date(Date.UTC(2026, 0, 1, 10, n++)).toISOString();
      const who = { name: opts.author ?? 'Ann Author', email: opts.email ?? 'ann@example.com' };
      git('add', '-A');
      execFileSync('git', ['commit', '-q', '--allow-empty', '-m', message], {
        cwd: dir,
        stdio: 'pipe',
        env: { ...env, GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email, GIT_AUTHOR_DATE: date, GIT_COMMITTER_NAME: who.name, GIT_COMMITTER_EMAIL: who.email, GIT_COMMITTER_DATE: date },
      });
      return git('rev-parse', 'HEAD').trim();
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
