// `npm run bench`: every benchmark, each figure beside its limit. `npm run bench -- eval` runs one.
import { benchStartup } from './startup.mjs';
import { benchEval } from './eval.mjs';

const only = process.argv.slice(2);
const want = (name) => !only.length || only.includes(name);
console.log(`aigov benchmarks on node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
if (want('startup')) benchStartup();
if (want('eval')) await benchEval({ runs: 3 });
if (want('govern')) await (await import('./govern.mjs')).benchGovern();
if (want('store')) await (await import('./store.mjs')).main();
if (want('gov-run')) await (await import('./gov-run.mjs')).benchGovRun();
if (want('seal')) await (await import('./seal.mjs')).main();
if (want('pg')) await (await import('./pg-append.mjs')).benchPgAppend();
if (want('observe')) await (await import('./observe.mjs')).main();
if (want('promote')) await (await import('./promote.mjs')).benchPromote();
