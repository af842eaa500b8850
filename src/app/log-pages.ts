// The run log read front to back in pages, for the passes that hash all of it.
import type { StoredEvent } from '../core/log/chain.js';
import type { LoggedEvent } from '../core/log/events.js';
import type { Store } from '../store/types.js';

/** The log from `fromSeq` on in pages, as stored where the store can (no payload parsing). */
export async function* logPages(store: Store, fromSeq = 1): AsyncIterable<(StoredEvent | LoggedEvent)[]> {
  if (store.scanStored) {
    yield* store.scanStored(fromSeq);
    return;
  }
  let page: LoggedEvent[] = [];
  for await (const event of store.scan(fromSeq)) {
    page.push(event);
    if (page.length === 1000) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}
