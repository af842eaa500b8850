// The library's side of bench/govern.mjs, in a process of its own:
//   node --import ./bench/peak-rss.mjs bench/govern-child.mjs DIST ROOT RUNS CONCURRENCY
// opens a governor on ROOT with the library built in DIST and makes RUNS gov.run
// calls, CONCURRENCY at a time; exits 1 if any run failed or answered wrong.
const [dist, root, runs, concurrency] = process.argv.slice(2);
const { openGovernor } = await import(`${dist}/index.js`);
const gov = await openGovernor({ root, env: { ...process.env }, onWarning: () => {} });
let next = 0;
let wrong = 0;
await Promise.all(
  Array.from({ length: Number(concurrency) }, async () => {
    while (next < Number(runs)) {
      const n = next++;
      const run = await gov.run('label', { n: String(n) }, { triggeredBy: 'bench' });
      if (run.output !== `label-${n}`) wrong++;
    }
  }),
);
await gov.close();
if (wrong) {
  console.error(`${wrong} runs answered wrong`);
  process.exit(1);
}
