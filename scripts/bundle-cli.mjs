// Bundles the CLI into a few files: start-up is a feature, and resolving and
// compiling hundreds of small modules is most of what a command costs (the
// openai SDK alone takes about 110 ms to import unbundled, 25 ms bundled).
// Code splitting keeps every lazy import lazy: an SDK is still loaded only by
// a command that calls its provider. The native store drivers stay external.
// The library (dist/index.js) is not bundled.
//
// The build fails, leaving no bundle, where code reads a named export of a
// CommonJS package through a chunk that only has `default` (bundle-guard.mjs).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkCommonJsChunks, describeProblem } from './bundle-guard.mjs';

export class BundleGuardError extends Error {
  constructor(problems) {
    super(`the bundle reads named exports that it does not have:\n${problems.map(describeProblem).join('\n')}`);
    this.name = 'BundleGuardError';
    this.problems = problems;
  }
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The CLI's own build: dist/cli/main.js (tsc's output) to dist/cli-bundle/. */
export const CLI = {
  root: ROOT,
  entryPoints: ['dist/cli/main.js'],
  outdir: 'dist/cli-bundle',
  external: ['better-sqlite3', 'pg', 'pg-native'],
};

/**
 * esbuild's options for a target: the CLI's settings, paths relative to `root`.
 * @param {{ root: string, entryPoints: string[], outdir: string, external?: string[] }} target
 * @returns {import('esbuild').BuildOptions & { metafile: true }}
 */
export function esbuildOptions(target) {
  return {
    absWorkingDir: target.root,
    entryPoints: target.entryPoints,
    outdir: resolve(target.root, target.outdir),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: target.external ?? [],
    metafile: true,
    // CommonJS dependencies (commander, ajv) call require() for Node's built-ins.
    banner: { js: "import { createRequire as __aigovRequire } from 'node:module'; const require = __aigovRequire(import.meta.url);" },
    logLevel: 'warning',
  };
}

/**
 * Bundles `target` and checks the result; on a problem removes the output and
 * throws a BundleGuardError.
 * @param {{ root: string, entryPoints: string[], outdir: string, external?: string[] }} target
 */
export async function bundle(target) {
  const options = esbuildOptions(target);
  rmSync(options.outdir, { recursive: true, force: true });
  const result = await build(options);
  const problems = checkCommonJsChunks(result.metafile, target.root);
  if (problems.length > 0) {
    rmSync(options.outdir, { recursive: true, force: true });
    throw new BundleGuardError(problems);
  }
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await bundle(CLI);
  } catch (err) {
    if (!(err instanceof BundleGuardError)) throw err;
    console.error(`bundle-cli: ${err.message}`);
    process.exitCode = 1;
  }
}
