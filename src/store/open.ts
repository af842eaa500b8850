// Chooses the store backend from its URL. Each backend is imported only when
// used: better-sqlite3 is a native module and pg is not needed by SQLite users.
import { isAbsolute, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { Store } from './types.js';

/** The store when aigov.yaml names none: an embedded file under the workspace. */
export const DEFAULT_STORE_URL = 'sqlite:.aigov/runs.db';

/** `sqlite:PATH` (relative to the workspace root) or `postgres://user@host:port/db[?schema=NAME]`. */
export async function openStore(url: string | null | undefined, root: string): Promise<Store> {
  const target = url ?? DEFAULT_STORE_URL;
  if (target.startsWith('sqlite:')) {
    const path = target.slice('sqlite:'.length);
    if (path === '') throw new UsageError('the store URL sqlite: names no file', { hint: `for example ${DEFAULT_STORE_URL}` });
    const { openSqliteStore } = await import('./sqlite.js');
    return openSqliteStore(path === ':memory:' || isAbsolute(path) ? path : resolve(root, path), { url: target });
  }
  if (/^postgres(ql)?:\/\//.test(target)) {
    const { openPostgresStore } = await import('./postgres.js');
    return openPostgresStore(target);
  }
  throw new UsageError(`unknown store URL ${JSON.stringify(target)}`, {
    hint: 'use sqlite:PATH or postgres://user@host:5432/database',
  });
}
