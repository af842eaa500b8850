// Start-up: `aigov --version` and `aigov validate` on the example workspace,
// against a bare `node -e ""` on the same machine (the physical floor).
import { fileURLToPath } from 'node:url';
import { median, printTable, repeat, timeCommand } from './lib.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/aigov.js', import.meta.url));
const RUNS = 21;

export function benchStartup() {
  timeCommand('node', [BIN, 'validate', '--quiet'], { cwd: ROOT }); // warm the file cache
  const bare = median(repeat(RUNS, () => timeCommand('node', ['-e', ''])));
  const version = median(repeat(RUNS, () => timeCommand('node', [BIN, '--version'])));
  const validate = median(repeat(RUNS, () => timeCommand('node', [BIN, 'validate', '--quiet'], { cwd: ROOT })));
  const rows = [
    { figure: 'node -e "" (floor)', measured: `${bare.toFixed(0)} ms` },
    { figure: 'aigov --version', measured: `${version.toFixed(0)} ms`, limit: `${bare.toFixed(0)} ms`, ratio: version / bare, goal: '<= 2x', ok: version / bare <= 2 },
    { figure: 'aigov validate (example workspace)', measured: `${validate.toFixed(0)} ms`, limit: `${bare.toFixed(0)} ms`, ratio: validate / bare, goal: '<= 3x', ok: validate / bare <= 3 },
  ];
  printTable(`start-up (median of ${RUNS} runs)`, rows);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) benchStartup();
