// vitest's globalSetup: refuses to run the tests against a missing or stale
// build. The end-to-end tests run the built `bin/aigov.js` (dist/cli-bundle), so
// after an edit without a build they would pass or fail on old code, silently.
// `npm test` builds first; a plain `npx vitest run` needs `npm run build`.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What dist/ is built from: the sources (tests are not built), the build scripts and settings, the locked dependencies (bundled). */
export const BUILD_INPUTS = ['src', 'scripts/bundle-cli.mjs', 'scripts/bundle-guard.mjs', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
const isBuilt = (path: string): boolean => !/\.test\.ts$/.test(path);

interface Stamp {
  path: string;
  mtimeMs: number;
}

/** Why the build in `root` cannot be tested, or null when every file in dist/ is newer than every build input. */
export function staleDist(root: string): string | null {
  const dist = files(root, 'dist');
  if (dist.length === 0) return 'dist/ is missing or empty: run `npm run build` first (`npm test` builds, then tests)';
  const oldest = dist.reduce((a, b) => (b.mtimeMs < a.mtimeMs ? b : a));
  const newest = BUILD_INPUTS.flatMap((p) => files(root, p))
    .filter((f) => isBuilt(f.path))
    .reduce<Stamp | null>((a, b) => (!a || b.mtimeMs > a.mtimeMs ? b : a), null);
  if (!newest || newest.mtimeMs <= oldest.mtimeMs) return null;
  return (
    `dist/ is older than what it is built from: ${newest.path} changed at ${iso(newest.mtimeMs)}, ` +
    `${oldest.path} was built at ${iso(oldest.mtimeMs)}. Run \`npm run build\` first (\`npm test\` builds, then tests): ` +
    'the end-to-end tests run the built bin/aigov.js and would test old code'
  );
}

/** Every file at or under `path`, with its modification time; none when it does not exist. */
function files(root: string, path: string): Stamp[] {
  const abs = join(root, path);
  let st;
  try {
    st = statSync(abs);
  } catch {
    return [];
  }
  if (st.isFile()) return [{ path: relative(root, abs), mtimeMs: st.mtimeMs }];
  if (!st.isDirectory()) return [];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => {
      const file = join(d.parentPath, d.name);
      return { path: relative(root, file), mtimeMs: statSync(file).mtimeMs };
    });
}

const iso = (ms: number): string => new Date(ms).toISOString();

export default function setup(): void {
  const problem = staleDist(ROOT);
  if (problem) throw new Error(`refusing to run the tests: ${problem}`);
}
