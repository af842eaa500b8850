// Preloaded into a benchmarked process (`node --import ./bench/peak-rss.mjs ...`):
// on exit it writes the process's peak resident memory, in bytes, to $BENCH_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)));
