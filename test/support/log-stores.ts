// A run log on each store for tests of what is built on it (seals, proofs):
// SQLite in a temporary workspace folder, and PostgreSQL in a random schema
// where AIGOV_TEST_PG_URL is set. `tamper` runs SQL as an attacker with write
// access to the database would: past the append-only triggers, which it puts back.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';

export interface LogStore {
  /** The workspace folder: aigov.seals is written here. */
  root: string;
  store: Store;
  tamper(sql: string): Promise<void>;
  cleanup(): Promise<void>;
}

export interface LogBackend {
  name: string;
  open(): Promise<LogStore>;
}

const sqlite: LogBackend = {
  name: 'sqlite',
  async open() {
    const root = mkdtempSync(join(tmpdir(), 'aigov-seal-'));
    let store = await openStore('sqlite:.aigov/runs.db', root);
    const self: LogStore = {
      root,
      get store() {
        return store;
      },
      async tamper(sql) {
        await store.close();
        const db = new Database(join(root, '.aigov/runs.db'));
        try {
          const triggers = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as { name: string; sql: string }[];
          for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
          db.exec(sql);
          for (const t of triggers) db.exec(t.sql);
        } finally {
          db.close();
        }
        store = await openStore('sqlite:.aigov/runs.db', root);
      },
      async cleanup() {
        await store.close();
        rmSync(root, { recursive: true, force: true });
      },
    };
    return self;
  },
};

const pgUrl = process.env.AIGOV_TEST_PG_URL;

const postgres: LogBackend = {
  name: 'postgres',
  async open() {
    const root = mkdtempSync(join(tmpdir(), 'aigov-seal-'));
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const url = `${pgUrl}${pgUrl!.includes('?') ? '&' : '?'}schema=${schema}`;
    const store = await openStore(url, root);
    const admin = new pg.Client({ connectionString: pgUrl, options: `-c search_path=${schema}` });
    await admin.connect();
    return {
      root,
      store,
      async tamper(sql) {
        await admin.query(`ALTER TABLE events DISABLE TRIGGER USER; ${sql}; ALTER TABLE events ENABLE TRIGGER USER`);
      },
      async cleanup() {
        await store.close();
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
        rmSync(root, { recursive: true, force: true });
      },
    };
  },
};

/** SQLite always; PostgreSQL where AIGOV_TEST_PG_URL names a server. */
export const LOG_BACKENDS: LogBackend[] = pgUrl ? [sqlite, postgres] : [sqlite];
