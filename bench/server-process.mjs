// The test model server in a process of its own, so that its CPU is measured apart
// from aigov's (and it can be pinned to a core with taskset). Started by
// startServerProcess in bench/server.mjs; options as JSON in argv[2]. Prints one JSON line
// with its URLs, then answers one JSON command a line on stdin:
//   {"latency": ms}   -> {"ok": true}
//   {"cpu": true}     -> {"userMs", "systemMs"}   (this process, since it started)
// It answers every eval case right: "Label N" gets "label-N", then, when asked, one
// word of `pad` characters and `words` one-letter words; `pin`'s call gets "OK".
import { createInterface } from 'node:readline';
import { startModelServer } from '../test/support/model-server.mjs';

const opts = JSON.parse(process.argv[2] ?? '{}');
const pad = `${opts.pad ? ` ${'x'.repeat(opts.pad)}` : ''}${' w'.repeat(opts.words ?? 0)}`;
const server = await startModelServer({
  record: false,
  defaultTopLogprobs: opts.defaultTopLogprobs,
  answer: (req) => {
    const n = /Label (\d+)/.exec(req.messages.at(-1).content)?.[1];
    return n === undefined ? 'OK' : `label-${n}${pad}`;
  },
});
process.stdout.write(`${JSON.stringify({ url: server.url, openaiBaseURL: server.openaiBaseURL })}\n`);

for await (const line of createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line);
  if (typeof cmd.latency === 'number') {
    server.setLatency(cmd.latency);
    process.stdout.write('{"ok":true}\n');
  } else if (cmd.cpu) {
    const { user, system } = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ userMs: user / 1000, systemMs: system / 1000 })}\n`);
  }
}
await server.close();
