// The package as npm ships it: `npm pack`, the tarball installed into an empty
// project, then what a new user types there. This is the only test of the
// package's `files`, `bin` and `exports` as a user's install sees them.
//
// Two shortcuts, both kept honest by checks:
// - `npm pack --ignore-scripts`: packs the dist/ that this test run was started
//   on (the globalSetup refused a stale one) instead of running `prepare`,
//   which would rebuild dist/ under the feet of the other tests running now.
// - `npm install --ignore-scripts --prefer-offline`: npm's cache first, and no
//   install scripts. The only dependency with an install step is better-sqlite3
//   (checked below), whose step compiles a native binary (1-2 minutes). The
//   test copies in the binary that this repository's own install built, after
//   checking it is the same better-sqlite3 version for the same Node; only
//   where the versions differ does it compile (`npm rebuild better-sqlite3`).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const SQLITE_BINARY = 'build/Release/better_sqlite3.node';

let dir: string;
let project: string;
let tarball: { filename: string; files: { path: string }[] };

/** The environment of a user's shell: none of npm's own variables from `npm test`, no aigov overrides, no keys. */
function userEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(npm_|AIGOV_|OPENAI_|ANTHROPIC_|INIT_CWD$)/i.test(k)) env[k] = v;
  return { ...env, NO_COLOR: '1' };
}

const run = (file: string, args: string[], cwd: string, timeout = 60_000) => execa(file, args, { cwd, env: userEnv(), extendEnv: false, reject: false, timeout });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aigov-pack-'));
  const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT);
  if (pack.exitCode !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
  [tarball] = JSON.parse(pack.stdout);

  project = join(dir, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'aigov-pack-test', version: '1.0.0', private: true }, null, 2)}\n`);
  const install = await run('npm', ['install', join(dir, tarball.filename), '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], project, 240_000);
  if (install.exitCode !== 0) throw new Error(`npm install of the tarball failed: ${install.stderr}`);

  const installed = join(project, 'node_modules', 'better-sqlite3');
  const ours = join(ROOT, 'node_modules', 'better-sqlite3');
  const version = (d: string) => (JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as { version: string }).version;
  if (version(installed) === version(ours) && existsSync(join(ours, SQLITE_BINARY))) {
    mkdirSync(join(installed, 'build', 'Release'), { recursive: true });
    cpSync(join(ours, SQLITE_BINARY), join(installed, SQLITE_BINARY));
  } else {
    const rebuild = await run('npm', ['rebuild', 'better-sqlite3'], project, 300_000);
    if (rebuild.exitCode !== 0) throw new Error(`building better-sqlite3 failed: ${rebuild.stderr}`);
  }
}, 360_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed package, installed into an empty project', () => {
  it('holds the binary, the bundle, the library with its types, the schemas and the README, and nothing else', () => {
    const files = tarball.files.map((f) => f.path);
    for (const f of ['package.json', 'README.md', 'bin/aigov.js', 'dist/cli-bundle/main.js', 'dist/index.js', 'dist/index.d.ts', 'schemas/config.json', 'schemas/prompt.json']) expect(files).toContain(f);
    expect(files.filter((f) => !/^(package\.json|README\.md|LICENSE|bin\/|dist\/|schemas\/)/.test(f))).toEqual([]);
    expect(files.filter((f) => /\.test\.|^dist\/.*\.ts$(?<!\.d\.ts)/.test(f))).toEqual([]);
  });

  it('needs no install step but better-sqlite3’s (the one the test stands in for)', () => {
    const withInstallStep: string[] = [];
    const modules = join(project, 'node_modules');
    const dirs = readdirSync(modules).flatMap((n) => (n.startsWith('@') ? readdirSync(join(modules, n)).map((m) => join(n, m)) : [n]));
    for (const d of dirs) {
      const pj = join(modules, d, 'package.json');
      if (!existsSync(pj)) continue;
      const scripts = (JSON.parse(readFileSync(pj, 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
      if (scripts.preinstall || scripts.install || scripts.postinstall || existsSync(join(modules, d, 'binding.gyp'))) withInstallStep.push(d);
    }
    expect(withInstallStep).toEqual(['better-sqlite3']);
  });

  it('npx aigov --version prints the package’s version, from the installed package', async () => {
    const where = await run('node', ['-p', "require.resolve('aigov/package.json')"], project);
    expect(where.stdout.trim()).toBe(join(project, 'node_modules', 'aigov', 'package.json'));
    const r = await run('npx', ['aigov', '--version'], project);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe(PKG.version);
  });

  it('aigov init scaffolds a workspace that aigov validate accepts, with editor schemas that resolve', async () => {
    const init = await run('npx', ['aigov', 'init'], project);
    expect(init.stderr).not.toMatch(/\n\s+at /);
    expect(init.exitCode).toBe(0);
    expect(existsSync(join(project, 'aigov.yaml'))).toBe(true);
    const header = /\$schema=(\S+)/.exec(readFileSync(join(project, 'aigov.yaml'), 'utf8'))?.[1];
    expect(header && existsSync(join(project, header))).toBe(true);

    const validate = await run('npx', ['aigov', 'validate'], project);
    expect(validate.exitCode).toBe(0);
    expect(`${validate.stdout}${validate.stderr}`).toMatch(/^ok: \d+ files/m);
  });

  it('aigov log verify opens the embedded store (the native driver loads)', async () => {
    const r = await run('npx', ['aigov', 'log', 'verify', '--json'], project);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true });
  });

  it('the README’s first command runs this repository’s example workspace on the installed package', async () => {
    const example = join(project, 'example');
    for (const f of ['aigov.yaml', 'aigov.lock', 'prompts', 'evals', 'automations', 'fixtures']) cpSync(join(ROOT, f), join(example, f), { recursive: true });
    const r = await run('npx', ['aigov', 'eval', '--replay'], example);
    expect(r.stdout).not.toMatch(/FAIL|ERROR/);
    expect(r.exitCode).toBe(0);
  });

  it.each([
    ['import()', ['-e', "import('aigov').then((m) => console.log(typeof m.openGovernor))"]],
    ['a static ESM import', ['--input-type=module', '-e', "import { openGovernor } from 'aigov'; console.log(typeof openGovernor);"]],
  ])('the library: %s of openGovernor from ‘aigov’', async (_how, args) => {
    const r = await run('node', args, project);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('function');
  });
});
