// Empties dist/ before a build: tsc never deletes the output of a source file
// that is gone, and a leftover would be packed and shipped, and would keep the
// test run's freshness check (test/support/fresh-dist.ts) failing.
import { rmSync } from 'node:fs';

rmSync(new URL('../dist/', import.meta.url), { recursive: true, force: true });
