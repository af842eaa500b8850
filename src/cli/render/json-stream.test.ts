import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { writeJsonArray } from './json-stream.js';

async function* pagesOf<T>(pages: T[][]): AsyncIterable<T[]> {
  for (const p of pages) yield p;
}

async function written(pages: unknown[][]): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  await writeJsonArray(pagesOf(pages), out);
  return text;
}

describe('writeJsonArray', () => {
  it.each<[string, unknown[][]]>([
    ['nothing', []],
    ['empty pages', [[], []]],
    ['one item', [[{ a: 1 }]]],
    ['several pages of nested items', [[{ a: 1, b: [1, { c: 'x\ny' }] }, 'text'], [], [null, 7, { d: {} }]]],
  ])('prints %s exactly as JSON.stringify(all, null, 2)', async (_what, pages) => {
    expect(await written(pages)).toBe(`${JSON.stringify(pages.flat(), null, 2)}\n`);
  });
});
