// The bundle build's guard (scripts/bundle-guard.mjs), attacked with small
// packages built through the same `bundle()` the CLI's build uses: every read
// of a named export through a CommonJS chunk that only has `default` fails the
// build, and each such read really is `undefined` in an unguarded bundle while
// Node's own loader gives it (which is why tests of the sources never saw it).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { BundleGuardError, CLI, bundle, esbuildOptions } from '../../scripts/bundle-cli.mjs';
import { describeProblem } from '../../scripts/bundle-guard.mjs';
import { tempWorkspace } from '../support/workspace.js';

const CJS_PKG = `'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
exports.named = 'named-value';
exports.default = 'the-default';
`;

const w = tempWorkspace({
  'node_modules/cjs-pkg/package.json': '{ "name": "cjs-pkg", "version": "1.0.0", "main": "index.js" }\n',
  'node_modules/cjs-pkg/index.js': CJS_PKG,
  'node_modules/esm-pkg/package.json': '{ "name": "esm-pkg", "version": "1.0.0", "type": "module", "main": "index.js" }\n',
  'node_modules/esm-pkg/index.js': "export const named = 'esm-named';\n",
  'own.mjs': "export const named = 'own-named';\n",
});
afterAll(() => w.cleanup());

let n = 0;
/** An entry module whose `run()` is `body`; prints what run() returns. */
function entry(body: string, head = ''): string {
  const file = `entry-${++n}.mjs`;
  w.write(file, `${head}\nconst pick = (ns) => ns.named;\nexport async function run() {\n${body}\n}\nconsole.log(JSON.stringify((await run()) ?? null));\n`);
  return file;
}

/** What the module prints when Node runs it. */
const runNode = (file: string): unknown => JSON.parse(execFileSync('node', [file], { cwd: w.root, encoding: 'utf8' }));

const BAD: [string, string, string[]][] = [
  ['a destructured named export', "const { named } = await import('cjs-pkg');\nreturn named;", ['named']],
  ['a property of the awaited namespace', "return (await import('cjs-pkg')).named;", ['named']],
  ['a string-keyed property', "return (await import('cjs-pkg'))['named'];", ['named']],
  ['a property of a namespace variable', "const m = await import('cjs-pkg');\nreturn m.named;", ['named']],
  ['a property read in .then()', "return import('cjs-pkg').then((m) => m.named);", ['named']],
  ['a destructuring in .then()', "return import('cjs-pkg').then(({ named }) => named);", ['named']],
  ['an element of Promise.all', "const [m] = await Promise.all([import('cjs-pkg')]);\nreturn m.named;", ['named']],
  ['the namespace passed on whole', "const ns = await import('cjs-pkg');\nreturn pick(ns);", ['(through "ns" as a whole value)']],
];

const GOOD: [string, string, string, unknown][] = [
  ['a property of default', '', "return (await import('cjs-pkg')).default.named;", 'named-value'],
  ['default destructured', '', "const { default: m } = await import('cjs-pkg');\nreturn m.named;", 'named-value'],
  ['default in .then()', '', "return import('cjs-pkg').then((m) => m.default.named);", 'named-value'],
  ['a named export of an ESM package', '', "return (await import('esm-pkg')).named;", 'esm-named'],
  ['a named export of our own module', '', "return (await import('./own.mjs')).named;", 'own-named'],
  ['a static named import beside a dynamic one', "import { named } from 'cjs-pkg';", "return [named, (await import('cjs-pkg')).default.named];", ['named-value', 'named-value']],
];

describe('the bundle guard', () => {
  it.each(BAD)('fails the build on %s of a CommonJS package', async (_what, body, reads) => {
    const file = entry(body);
    const target = { root: w.root, entryPoints: [file], outdir: `out-${n}` };
    const err = await bundle(target).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BundleGuardError);
    const problems = (err as BundleGuardError).problems;
    expect(problems.map((p) => p.read)).toEqual(reads);
    expect(problems[0]).toMatchObject({ file, specifier: 'cjs-pkg', module: 'cjs-pkg/index.js' });
    expect(describeProblem(problems[0])).toMatch(new RegExp(`^${file}:\\d+:\\d+: .*cjs-pkg/index.js is CommonJS .*exports only default.*\\(await import\\('cjs-pkg'\\)\\)\\.default`));
    // Nothing half-built is left behind.
    expect(existsSync(join(w.root, target.outdir))).toBe(false);

    // The premise: Node's loader gives the named export, the unguarded bundle does not.
    expect(runNode(file)).toBe('named-value');
    await build(esbuildOptions({ ...target, outdir: `raw-${n}` }));
    expect(runNode(`raw-${n}/${file.replace('.mjs', '.js')}`)).toBeNull();
  });

  it.each(GOOD)('passes %s, and the bundle gives what Node gives', async (_what, head, body, value) => {
    const file = entry(body, head);
    await bundle({ root: w.root, entryPoints: [file], outdir: `out-${n}` });
    expect(runNode(`out-${n}/${file.replace('.mjs', '.js')}`)).toEqual(value);
    expect(runNode(file)).toEqual(value);
  });

  it('passes the CLI’s own build, which has CommonJS chunks (ajv) for it to check', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'aigov-bundle-'));
    try {
      const result = await bundle({ ...CLI, outdir });
      const cjsChunks = Object.values(result.metafile.outputs).filter(
        (o) => o.entryPoint && result.metafile.inputs[o.entryPoint]?.format === 'cjs' && o.exports.join() === 'default',
      );
      expect(cjsChunks.map((o) => o.entryPoint!.replace(/.*node_modules\//, '')).sort()).toEqual(expect.arrayContaining(['ajv/dist/2019.js', 'ajv/dist/2020.js', 'ajv/dist/ajv.js']));
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
