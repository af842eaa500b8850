// A JSON array written a page at a time, byte for byte what
// `JSON.stringify(all, null, 2)` would print, so `--json` of a long list runs
// in constant memory: each page is written (waiting while stdout is full)
// before the next is read.
import { once } from 'node:events';

const CHUNK = 16_000;

export async function writeJsonArray(pages: AsyncIterable<readonly unknown[]>, stream: NodeJS.WritableStream = process.stdout): Promise<void> {
  let first = true;
  const write = async (text: string): Promise<void> => {
    if (!stream.write(text)) await once(stream, 'drain');
  };
  for await (const page of pages) {
    let chunk = '';
    for (const item of page) {
      chunk += `${first ? '[\n' : ',\n'}  ${JSON.stringify(item, null, 2).replace(/\n/g, '\n  ')}`;
      first = false;
      // Small writes: a large string goes straight to the old generation and
      // stays until a full collection, so big chunks pile up as garbage.
      if (chunk.length > CHUNK) {
        await write(chunk);
        chunk = '';
      }
    }
    if (chunk) await write(chunk);
  }
  await write(first ? '[]\n' : '\n]\n');
}
