import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachingJsonSchemaCheck, checkJsonSchema } from './output-schema.js';

const D2019 = 'https://json-schema.org/draft/2019-09/schema';
const D2020 = 'https://json-schema.org/draft/2020-12/schema';

describe('checkJsonSchema', () => {
  it.each<[string, Record<string, unknown>]>([
    ['the default draft (07)', { type: 'object', required: ['a'], properties: { a: { enum: ['x'] }, b: { type: ['string', 'null'] } } }],
    ['draft 2019-09', { $schema: D2019, type: 'object', $defs: { n: { type: 'number' } }, properties: { a: { $ref: '#/$defs/n' } }, unevaluatedProperties: false }],
    ['draft 2020-12', { $schema: D2020, type: 'array', prefixItems: [{ type: 'number' }], items: false }],
    ['an annotation aigov does not know (not strict)', { type: 'string', 'x-note': 'for people' }],
  ])('accepts %s', (_n, schema) => expect(checkJsonSchema(schema)).toEqual([]));

  it.each<[string, Record<string, unknown>, { path: (string | number)[]; message: RegExp }[]]>([
    ['an unknown type, at its place', { type: 'object', properties: { a: { type: 'strin' } } }, [{ path: ['properties', 'a', 'type'], message: /^must be equal to one of the allowed values: array, boolean, integer, null, number, object, string$/ }]],
    ['required not a list', { required: 'a' }, [{ path: ['required'], message: /must be array/ }]],
    ['each place once, in order', { required: 'a', properties: { a: { minLength: -1 } } }, [{ path: ['required'], message: /must be array/ }, { path: ['properties', 'a', 'minLength'], message: /must be >= 0/ }]],
    ['an item of a list, by its index', { $schema: D2020, prefixItems: [{ type: 'number' }, { type: 7 }] }, [{ path: ['prefixItems', 1, 'type'], message: /allowed values/ }]],
    ['2020-12 keywords checked by the 2020-12 meta-schema', { $schema: D2020, prefixItems: 5 }, [{ path: ['prefixItems'], message: /must be array/ }]],
    ['a $ref to nowhere', { properties: { a: { $ref: '#/definitions/missing' } } }, [{ path: [], message: /can't resolve reference #\/definitions\/missing/ }]],
    ['a pattern that is not a regular expression', { type: 'string', pattern: '(' }, [{ path: [], message: /Invalid regular expression/ }]],
    ['a draft aigov does not check', { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' }, [{ path: ['$schema'], message: /no schema with key or ref "http:\/\/json-schema.org\/draft-04\/schema#"/ }]],
  ])('refuses %s', (_n, schema, issues) => {
    const got = checkJsonSchema(schema);
    expect(got.map((i) => i.path)).toEqual(issues.map((i) => i.path));
    got.forEach((g, k) => expect(g.message).toMatch(issues[k].message));
  });

  it('names the drafts it checks when $schema is one it does not', () => {
    expect(checkJsonSchema({ $schema: 'http://json-schema.org/draft-04/schema#' })[0].hint).toMatch(/draft-07.*2019-09.*2020-12/);
  });
});

describe('cachingJsonSchemaCheck', () => {
  let root: string | undefined;
  afterEach(() => root && rmSync(root, { recursive: true, force: true }));

  it('remembers only schemas that compile', () => {
    root = mkdtempSync(join(tmpdir(), 'aigov-schema-cache-'));
    const check = cachingJsonSchemaCheck(root);
    const dir = join(root, '.aigov/cache/schemas');
    expect(check({ type: 'strin' })).toHaveLength(1);
    expect(existsSync(dir)).toBe(false);
    expect(check({ type: 'string' })).toEqual([]);
    expect(readdirSync(dir)).toHaveLength(1);
    // Same schema, keys in another order: the same entry.
    expect(check({ type: 'object', required: ['a'] })).toEqual([]);
    expect(check({ required: ['a'], type: 'object' })).toEqual([]);
    expect(readdirSync(dir)).toHaveLength(2);
    expect(check({ type: 'strin' })).toHaveLength(1);
  });
});
