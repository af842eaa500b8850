import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../errors.js';
import { parseDotenv } from './dotenv.js';

describe('parseDotenv: values', () => {
  it.each<[string, string, Record<string, string>]>([
    ['a plain pair', 'A=1', { A: '1' }],
    ['a UTF-8 BOM does not hide the first key', '\uFEFFOPENAI_API_KEY=sk-1\nB=2', { OPENAI_API_KEY: 'sk-1', B: '2' }],
    ['CRLF line ends', 'A=1\r\nB=2\r\n', { A: '1', B: '2' }],
    ['spaces around key, = and value', '  A  =  one two  ', { A: 'one two' }],
    ['export prefix', 'export A=1', { A: '1' }],
    ['comments and blank lines', '# a comment\n\n   \nA=1 # trailing\n  # indented comment', { A: '1' }],
    ['an empty value', 'A=\nB= ', { A: '', B: '' }],
    ['= inside the value', 'URL=postgres://u@h/db?a=b', { URL: 'postgres://u@h/db?a=b' }],
    ['double quotes keep # and spaces, and expand escapes', 'A=" x # y\\n\\t\\"q\\" \\\\ " # c', { A: ' x # y\n\t"q" \\ ' }],
    ['single quotes are literal', "A='x\\ny # z'", { A: 'x\\ny # z' }],
    ['backticks are literal', 'A=`it\'s "q"`', { A: 'it\'s "q"' }],
    ['a quoted value over several lines', 'KEY="-----BEGIN KEY-----\nabc\n-----END KEY-----"\nB=2', { KEY: '-----BEGIN KEY-----\nabc\n-----END KEY-----', B: '2' }],
    ['a key set twice: the later wins', 'A=1\nA=2', { A: '2' }],
    ['a # ends an unquoted value', 'A=abc#def', { A: 'abc' }],
    ['lower case and digits in keys', 'a_1=x', { a_1: 'x' }],
  ])('%s', (_name, text, values) => {
    expect(parseDotenv(text).values).toEqual(values);
  });

  it.each(['A=1', 'A = v ', 'A="a#b" # c', 'export A=1', 'A="x\\ny"', "A='x\\ny'", 'A=1\nA=2', 'A="a\nb"', 'A=a #b', 'A=a#b'])('reads %j as Node parseEnv does', (text) => {
    expect(parseDotenv(text).values).toEqual(parseEnv(text));
  });
});

describe('parseDotenv: warnings', () => {
  it.each<[string, string, string[], Record<string, string>]>([
    ['a line without =', 'A=1\nOPENAI_API_KEY sk-secret\nB=2', ['.env:2:1 warning expected KEY=VALUE; the line is ignored'], { A: '1', B: '2' }],
    ['a bad key', '1A=x\nMY-KEY=y', ['.env:1:1 warning "1A" is not a variable name (letters, digits and "_", not starting with a digit); the line is ignored', '.env:2:1 warning "MY-KEY" is not a variable name (letters, digits and "_", not starting with a digit); the line is ignored'], {}],
    ['an empty key', '=x', ['.env:1:1 warning "" is not a variable name (letters, digits and "_", not starting with a digit); the line is ignored'], {}],
    ['a quote never closed', 'A="sk-secret\nB=2', ['.env:1:1 warning A: the " quote is never closed; the line is ignored (end the value with ")'], { B: '2' }],
    ['text after the closing quote', "A='x' y\nB=2", ['.env:1:1 warning A: unexpected text after the closing quote; the line is ignored'], { B: '2' }],
    ['a key set twice', 'A=1\n\nA=2', ['.env:3:1 warning A is set again (first on line 1); this later value is used'], { A: '2' }],
    ['a # right after the value', 'A=abc#def\nB=#x\nC= # a comment', ['.env:1:1 warning A: the "#" in the unquoted value starts a comment, so the value ends before it (quote the value if the # belongs to it)', '.env:2:1 warning B: the "#" in the unquoted value starts a comment, so the value ends before it (quote the value if the # belongs to it)'], { A: 'abc', B: '', C: '' }],
    ['after a BOM, line numbers still count from 1', '\uFEFFA=1\nbroken', ['.env:2:1 warning expected KEY=VALUE; the line is ignored'], { A: '1' }],
  ])('%s', (_name, text, warnings, values) => {
    const r = parseDotenv(text);
    expect(r.problems.map(formatProblem)).toEqual(warnings);
    expect(r.values).toEqual(values);
  });

  it('never quotes a value in a warning: it may be a secret', () => {
    const r = parseDotenv('OPENAI_API_KEY sk-secret\nA="sk-secret\nB=sk#secret\nC=\'x\' sk-secret\n1X=sk-secret');
    expect(r.problems).toHaveLength(5);
    for (const p of r.problems) expect(formatProblem(p)).not.toContain('secret');
  });

  it('names the file it was given', () => {
    expect(formatProblem(parseDotenv('x', 'sub/.env').problems[0])).toBe('sub/.env:1:1 warning expected KEY=VALUE; the line is ignored');
  });
});
