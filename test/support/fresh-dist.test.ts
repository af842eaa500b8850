// The stale-build refusal, on fixture trees with set modification times.
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { staleDist } from './fresh-dist.js';
import { tempWorkspace } from './workspace.js';

const T = 1_800_000_000; // seconds
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

/** A tree whose files have the given ages, in seconds after T. */
function tree(times: Record<string, number>): string {
  const w = tempWorkspace(Object.fromEntries(Object.keys(times).map((p) => [p, 'x'])));
  cleanup = w.cleanup;
  for (const [p, t] of Object.entries(times)) utimesSync(join(w.root, p), T + t, T + t);
  return w.root;
}

describe('staleDist', () => {
  it.each([
    ['a build newer than every input', { 'src/a.ts': 0, 'tsconfig.json': 0, 'dist/a.js': 5, 'dist/cli-bundle/main.js': 6 }, null],
    ['a build as new as its newest input', { 'src/a.ts': 5, 'dist/a.js': 5 }, null],
    ['a test file edited after the build (tests are not built)', { 'src/a.ts': 0, 'src/a.test.ts': 9, 'dist/a.js': 5 }, null],
    ['a source edited after the build', { 'src/core/a.ts': 9, 'dist/a.js': 5, 'dist/b.js': 7 }, /src\/core\/a\.ts changed at .*, dist\/a\.js was built at .*npm run build/],
    ['one file of the build older than a source', { 'src/a.ts': 5, 'dist/a.js': 4, 'dist/b.js': 9 }, /src\/a\.ts changed .* dist\/a\.js was built/],
    ['a bundle script edited after the build', { 'src/a.ts': 0, 'scripts/bundle-guard.mjs': 9, 'dist/a.js': 5 }, /scripts\/bundle-guard\.mjs changed/],
    ['dependencies changed after the build', { 'src/a.ts': 0, 'package-lock.json': 9, 'dist/a.js': 5 }, /package-lock\.json changed/],
    ['no dist/', { 'src/a.ts': 0 }, /^dist\/ is missing or empty: run `npm run build`/],
  ])('%s', (_what, times, expected) => {
    const problem = staleDist(tree(times));
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });
});
