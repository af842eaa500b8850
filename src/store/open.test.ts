import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AigovError, UsageError } from '../errors.js';
import { startedData } from '../../test/support/events.js';
import { DEFAULT_STORE_URL, openStore } from './open.js';
import { parsePostgresUrl } from './postgres.js';

describe('openStore', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'aigov-open-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    ['no URL', undefined, '.aigov/runs.db', DEFAULT_STORE_URL],
    ['a relative path', 'sqlite:logs/deep/runs.db', 'logs/deep/runs.db', 'sqlite:logs/deep/runs.db'],
  ])('opens SQLite under the workspace root for %s, creating folders', async (_what, url, file, shown) => {
    const store = await openStore(url, root);
    expect(store.url).toBe(shown);
    await store.append([{ type: 'run_started', data: startedData() }]);
    await store.close();
    expect(existsSync(join(root, file))).toBe(true);
  });

  it('opens an absolute SQLite path as is', async () => {
    const path = join(root, 'abs.db');
    const store = await openStore(`sqlite:${path}`, '/nonexistent-root');
    await store.close();
    expect(existsSync(path)).toBe(true);
  });

  it.each<[string, string, RegExp]>([
    ['an unknown scheme', 'mysql://db/x', /unknown store URL "mysql:\/\/db\/x"/],
    ['sqlite with no file', 'sqlite:', /names no file/],
    ['a password in a postgres URL', 'postgres://jane:hunter2@127.0.0.1:1/db', /contains a password/],
    ['a password parameter', 'postgresql://jane@127.0.0.1:1/db?password=hunter2', /contains a password/],
    ['a bad schema name', 'postgres://jane@127.0.0.1:1/db?schema=Robert%27);DROP', /invalid schema name/],
  ])('refuses %s', async (_what, url, message) => {
    const err = await openStore(url, root).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toMatch(/hunter2/);
  });

  it('refuses a file that is not a SQLite database', async () => {
    writeFileSync(join(root, 'notes.db'), 'these are not the runs you are looking for '.repeat(100));
    await expect(openStore('sqlite:notes.db', root)).rejects.toThrow(/notes\.db is not a SQLite database/);
  });

  it('refuses a log written in a newer format', async () => {
    await (await openStore('sqlite:runs.db', root)).close();
    const db = new Database(join(root, 'runs.db'));
    db.exec("UPDATE meta SET value = '99' WHERE key = 'format'");
    db.close();
    await expect(openStore('sqlite:runs.db', root)).rejects.toThrow(/format 99, newer than this aigov understands/);
  });

  it('never quietly puts back a trigger someone dropped: it stays dropped for verify to name', async () => {
    await (await openStore('sqlite:runs.db', root)).close();
    const db = new Database(join(root, 'runs.db'));
    db.exec('DROP TRIGGER events_no_delete');
    db.close();
    const store = await openStore('sqlite:runs.db', root);
    await store.append([{ type: 'run_started', data: startedData() }]);
    const audit = await store.audit!();
    expect(await audit.schemaProblems()).toEqual(['trigger events_no_delete is missing']);
    await audit.close();
    await store.close();
    const again = new Database(join(root, 'runs.db'));
    expect(again.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'events_no_delete'").get()).toEqual({ n: 0 });
    again.close();
  });

  it('reports an unreachable PostgreSQL as an infrastructure failure', async () => {
    const err = await openStore('postgres://nobody@127.0.0.1:1/db', root).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AigovError);
    expect(err).toMatchObject({ code: 'E_STORE_UNREACHABLE', exitCode: 3 });
  });
});

describe('parsePostgresUrl', () => {
  it.each([
    ['postgres://jane@db:5432/runs', 'postgres://jane@db:5432/runs', 'aigov'],
    ['postgres://jane@db/runs?schema=audit&sslmode=require', 'postgres://jane@db/runs?sslmode=require', 'audit'],
  ])('splits %s', (url, connectionString, schema) => {
    expect(parsePostgresUrl(url)).toEqual({ connectionString, schema });
  });
});
