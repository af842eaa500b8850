// An automation as production code writes it: classify incoming supplier
// invoices, book the ones the classifier is sure of into the ERP, and leave the
// rest in the review queue for a finance clerk. Every step lands in the run log.
//
//   npm run build && node examples/book-invoices.mjs
//
// It runs offline by default, answering from the recorded fixtures/ (the
// invoices below are the invoice_classifier eval cases, which have recordings).
// In production leave out `mode` (AIGOV_MODE=live) and set OPENAI_API_KEY.
// AIGOV_STORE=PATH writes the run log to that SQLite file instead of the
// workspace's own store (aigov.yaml `store:`, by default .aigov/runs.db);
// AIGOV_ROOT=DIR runs it against another workspace than this repository.
import { fileURLToPath } from 'node:url';
import { AigovError, openGovernor } from 'aigov';

const root = process.env.AIGOV_ROOT ?? fileURLToPath(new URL('..', import.meta.url));

const INBOX = [
  { ref: 'INV-1041', text: 'ACME Power, kWh used: 420, total 81.20 EUR' },
  { ref: 'INV-1042', text: 'SkyJet booking ref QX7P2, BER -> LIS, 1 adult, 189.00 EUR' },
  { ref: 'INV-1043', text: 'GitHost Team plan, 12 seats, November, 48.00 USD' },
  { ref: 'INV-1044', text: 'FurniCo, 4x ergonomic chair, 1,196.00 EUR' },
];

// Stands in for the real ERP client.
const erp = {
  book(ref, category) {
    console.log(`  erp: booked ${ref} under ${category}`);
    return { booking: `BK-${ref.slice(4)}`, vatLine: `${ref}-VAT` };
  },
};

async function main() {
  const store = process.env.AIGOV_STORE ? `sqlite:${process.env.AIGOV_STORE}` : undefined;
  const gov = await openGovernor({ root, store, mode: process.env.AIGOV_MODE ?? 'replay', actor: 'book-invoices' });
  const tally = { booked: 0, review: 0 };
  try {
    for (const invoice of INBOX) {
      const run = await gov.run('invoice_classifier', { invoice_text: invoice.text }, { triggeredBy: 'email_ingestion' });
      const sure = run.confidence === null ? 'unknown' : run.confidence.toFixed(2);
      console.log(`${invoice.ref}: ${run.output} (confidence ${sure}, ${run.disposition}) run ${run.id}`);
      if (run.disposition !== 'auto') {
        // act() would refuse it (TierError) until a person decides.
        console.log(`  waiting for review: aigov review approve ${run.id}`);
        tally.review += 1;
        continue;
      }
      const booked = await gov.act(run, (category) => erp.book(invoice.ref, category), {
        impacts: [{ system: 'erp', ref: invoice.ref, action: 'book' }],
      });
      // The ERP added a VAT line of its own: tag it, so `aigov trace` finds this run from it too.
      await gov.tag(run.id, { system: 'erp', ref: booked.vatLine, action: 'vat line' });
      tally.booked += 1;
    }
  } finally {
    await gov.close();
  }
  console.log(`done: ${tally.booked} booked (reversible for 24h with \`aigov revert RUN\`), ${tally.review} waiting in \`aigov review list\``);
}

try {
  await main();
} catch (err) {
  if (!(err instanceof AigovError)) throw err;
  console.error(`error: ${err.message}${err.hint ? `\n  hint: ${err.hint}` : ''}`);
  process.exitCode = err.exitCode;
}
