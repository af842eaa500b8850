#!/usr/bin/env node
// Start-up is a feature: `--version` answers without loading the CLI at all.
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${version}\n`);
} else {
  const { main } = await import('../dist/cli-bundle/main.js');
  await main(process.argv, version);
}
