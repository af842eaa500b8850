// Verify in ranges lets SQLite spell the text each hash covers: json_quote of
// a stored text must be exactly JSON.stringify of the same text as JavaScript
// reads it, for every character and for bytes that are not UTF-8 at all.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { splitRanges } from './sqlite-verify.js';

describe('verify in ranges', () => {
  it('spells stored text as JSON.stringify does', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (x TEXT)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    const texts: string[] = ['', '\u0000x', '"\\', "it's", '\u2028\u2029', '\ud800', 'a\udc00b', '\ud83d\ude00', '\u007f'];
    for (let c = 0; c < 0x10000; c++) texts.push(String.fromCharCode(c), `a${String.fromCharCode(c)}"b`);
    for (let c = 0x10000; c < 0x110000; c += 251) texts.push(String.fromCodePoint(c));
    db.transaction(() => texts.forEach((t) => insert.run(t)))();
    const bytes = [[0xff], [0xc3, 0x22], [0xed, 0xa0, 0x80], [0x61, 0, 0x62], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0x5c, 0xc3], [0xc0, 0x80]];
    for (const b of bytes) db.prepare('INSERT INTO t VALUES (CAST(? AS TEXT))').run(Buffer.from(b));
    const differ = (db.prepare('SELECT x, json_quote(x) FROM t').raw(true).all() as [string, string][]).filter(([x, q]) => JSON.stringify(x) !== q);
    expect(differ).toEqual([]);
    db.close();
  });

  it('splits the seqs into ranges that cover them, and the runs rows by first_seq alongside', () => {
    expect(splitRanges(10, 3)).toEqual([
      { lo: 1, hi: 3, runsFrom: null, runsTo: 4 },
      { lo: 4, hi: 6, runsFrom: 4, runsTo: 7 },
      { lo: 7, hi: 10, runsFrom: 7, runsTo: null },
    ]);
    // Fewer seqs than ranges: empty ranges, and still every runs row in one share.
    expect(splitRanges(1, 2)).toEqual([
      { lo: 1, hi: 0, runsFrom: null, runsTo: 1 },
      { lo: 1, hi: 1, runsFrom: 1, runsTo: null },
    ]);
    expect(splitRanges(0, 2).map((r) => r.hi)).toEqual([0, 0]);
  });
});
