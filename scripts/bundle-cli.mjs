// Bundles the CLI into a few files: start-up is a feature, and resolving and
// compiling hundreds of small modules is most of what a command costs (the
// openai SDK alone takes about 110 ms to import unbundled, 25 ms bundled).
// Code splitting keeps every lazy import lazy: an SDK is still loaded only by
// a command that calls its provider. The native store drivers stay external.
// The library (dist/index.js) is not bundled.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

const outdir = new URL('../dist/cli-bundle/', import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [new URL('../dist/cli/main.js', import.meta.url).pathname],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', 'pg', 'pg-native'],
  // CommonJS dependencies (commander, ajv) call require() for Node's built-ins.
  banner: { js: "import { createRequire as __aigovRequire } from 'node:module'; const require = __aigovRequire(import.meta.url);" },
  logLevel: 'warning',
});
