// Both run log backends, for tests that must hold on each: a fresh SQLite file
// in a temporary workspace and a fresh random schema on the PostgreSQL server
// named by AIGOV_TEST_PG_URL. In CI a missing PostgreSQL fails the run instead
// of skipping, so the shared backend is never silently untested.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';

export interface Opened {
  store: Store;
  /** The store URL and the workspace root it is relative to, for child processes. */
  url: string;
  root: string;
  /** A second, independent handle on the same log (another process or host). */
  reopen(): Promise<Store>;
  /** Runs SQL directly on the database, around the store. */
  raw(sql: string): Promise<void>;
  /** Runs one SQL query directly on the database and returns its rows. */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  cleanup(): Promise<void>;
}

export interface Backend {
  name: string;
  dialect: 'sqlite' | 'postgres';
  open(): Promise<Opened>;
}

/** SQLite as the CLI opens it (appends on the main thread until several callers append at once), or with every append on the writer thread. */
function sqlite(writer: 'auto' | 'thread'): Backend {
  return {
    name: writer === 'auto' ? 'sqlite' : 'sqlite, writer thread',
    dialect: 'sqlite',
    async open() {
      const root = mkdtempSync(join(tmpdir(), 'aigov-store-'));
      const url = 'sqlite:.aigov/runs.db';
      const path = join(root, '.aigov/runs.db');
      const openOne = (): Promise<Store> => (writer === 'auto' ? openStore(url, root) : openSqliteStore(path, { url, writer }));
      return sqliteOpened(await openOne(), openOne, root, url, path);
    },
  };
}

async function sqliteOpened(store: Store, openOne: () => Promise<Store>, root: string, url: string, path: string): Promise<Opened> {
  {
    const extra: Store[] = [];
    const withDb = <T>(fn: (db: Database.Database) => T): T => {
      const db = new Database(path);
      try {
        return fn(db);
      } finally {
        db.close();
      }
    };
    return {
      store,
      url,
      root,
      async reopen() {
        const s = await openOne();
        extra.push(s);
        return s;
      },
      async raw(sql) {
        withDb((db) => db.exec(sql));
      },
      async rows(sql) {
        return withDb((db) => db.prepare(sql).all() as Record<string, unknown>[]);
      },
      async cleanup() {
        for (const s of extra) await s.close();
        rmSync(root, { recursive: true, force: true });
      },
    };
  }
}

export const sqliteBackend = sqlite('auto');
export const sqliteThreadBackend = sqlite('thread');

export const pgUrl = process.env.AIGOV_TEST_PG_URL;

export const postgresBackend: Backend = {
  name: 'postgres',
  dialect: 'postgres',
  async open() {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const url = `${pgUrl}${pgUrl!.includes('?') ? '&' : '?'}schema=${schema}`;
    const extra: Store[] = [];
    const admin = new pg.Client({ connectionString: pgUrl, options: `-c search_path=${schema}` });
    await admin.connect();
    return {
      store: await openStore(url, tmpdir()),
      url,
      root: tmpdir(),
      async reopen() {
        const s = await openStore(url, tmpdir());
        extra.push(s);
        return s;
      },
      async raw(sql) {
        await admin.query(sql);
      },
      async rows(sql) {
        return (await admin.query(sql)).rows as Record<string, unknown>[];
      },
      async cleanup() {
        for (const s of extra) await s.close();
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
      },
    };
  },
};

/** The backends to test here: PostgreSQL when its server is configured, and a failing test in CI when it is not. */
export function storeBackends(what: string, opts: { thread?: boolean } = {}): Backend[] {
  const sqlites = opts.thread ? [sqliteBackend, sqliteThreadBackend] : [sqliteBackend];
  if (pgUrl) return [...sqlites, postgresBackend];
  if (process.env.CI && !/^(0|false)$/i.test(process.env.CI)) {
    describe('postgres', () => {
      it('has a PostgreSQL server to run the tests against', () => {
        throw new Error('AIGOV_TEST_PG_URL is not set: CI must run the PostgreSQL store tests (source .ci/postgres.sh first)');
      });
    });
  } else {
    console.warn(`[${what}] PostgreSQL skipped: AIGOV_TEST_PG_URL is not set (source .ci/postgres.sh to run it)`);
    describe.skip('postgres (AIGOV_TEST_PG_URL is not set)', () => {
      it('runs the tests', () => {});
    });
  }
  return sqlites;
}
