// Writes the example workspace's fixtures/ from hand-written sample answers.
//
// This repository cannot reach a real model, so its fixtures are samples: a local
// server speaking the OpenAI and Anthropic wire formats gives the answers below,
// and `aigov eval --record` records them exactly as it would record a real model.
// With network access and API keys, `aigov eval --record` records real ones instead.
//
//   npm run build && node scripts/make-sample-fixtures.mjs
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { startModelServer } from '../test/support/model-server.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/aigov.js', import.meta.url));
const HEADER = [
  '# SAMPLE responses, written by hand: they were NOT recorded from a real model.',
  '# Made by scripts/make-sample-fixtures.mjs so the examples run offline (`aigov eval --replay`).',
  '# Run `aigov eval --record` with API keys to replace them with real recordings.',
].join('\n');

const word = (text, p) => ({ text, logprobs: [{ token: text, logprob: Math.log(p) }] });
const INVOICES = [
  [/ACME Power/, word('utilities', 0.98)],
  [/SkyJet/, word('travel', 0.99)],
  [/GitHost/, word('software', 0.95)],
  [/FurniCo/, word('other', 0.62)],
];
const TICKETS = [
  [/charged twice/, { category: 'billing', priority: 'urgent', customer_id: 'C-1042', confidence: 0.93 }],
  [/export button/, { category: 'bug', priority: 'normal', customer_id: null, confidence: 0.88 }],
  [/reset link/, { category: 'account', priority: 'normal', customer_id: 'C-2290', confidence: 0.74 }],
];
const REPLIES = [
  [/supposed to arrive/, "I'm sorry your order hasn't arrived yet. I can't promise a date, but I will check where it is and get back to you today.\n\nThe Support Team"],
  [/dashboard is great/, "Thank you so much for your kind words! We're glad you like the new dashboard.\n\nThe Support Team"],
];

function answer(req) {
  const text = req.messages.map((m) => m.content).join('\n');
  // `aigov pin`'s one-token call, which records the model the API says it serves.
  if (text === 'Reply with OK.') return 'OK';
  if (/You grade the output/.test(text)) return JSON.stringify({ pass: true, score: 0.9, reason: 'Apologises, makes no promise of a date, and offers to check the order.' });
  for (const [re, a] of INVOICES) if (re.test(text)) return a;
  for (const [re, a] of TICKETS) if (re.test(text)) return JSON.stringify(a);
  for (const [re, a] of REPLIES) if (re.test(text)) return a;
  throw new Error(`no sample answer for: ${text.slice(0, 80)}`);
}

const server = await startModelServer({
  answer,
  models: { openai: ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'gpt-4o'], anthropic: ['claude-opus-4-5-20251101', 'claude-haiku-4-5-20251001'] },
  aliases: { 'gpt-4o-mini': 'gpt-4o-mini-2024-07-18', 'claude-opus-4-5': 'claude-opus-4-5-20251101' },
});
try {
  for (const group of ['invoice_classifier', 'ticket_extractor', 'support_reply', 'judge']) {
    writeFileSync(new URL(`../fixtures/${group}.yaml`, import.meta.url), `${HEADER}\n${stringify({ version: 1, recordings: [] })}`);
  }
  // The example aigov.yaml names no baseURL (real users' defaults); both SDKs honour these variables.
  const env = { ...process.env, OPENAI_API_KEY: 'sample', ANTHROPIC_API_KEY: 'sample', OPENAI_BASE_URL: server.openaiBaseURL, ANTHROPIC_BASE_URL: server.anthropicBaseURL };
  // Asynchronously: the sample server answers from this very process.
  const run = async (args) => {
    const r = await promisify(execFile)('node', [BIN, ...args], { cwd: ROOT, env });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
  };
  await run(['pin', '--as', 'examples@aigov.dev']);
  await run(['eval', '--record', '--no-cache', '--quiet']);
} finally {
  await server.close();
}
