// The HTML dashboard in a real browser (Debian's Chromium, driven by
// playwright-core): it loads with no console error and no request, shows one
// section per automation with a 10-bar histogram, and a hostile automation name
// is text. A screenshot is kept in test/.artifacts/ (git-ignored); with
// AIGOV_README_SCREENSHOT=1 it also writes docs/dashboard.png for the README.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aigov } from '../support/cli.js';
import { startModelServer } from '../support/model-server.mjs';
import { writeRealisticLog, type Profile } from '../support/realistic-log.js';
import { automationYaml, configYaml, promptYaml, tempWorkspace } from '../support/workspace.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'];
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const ARTIFACTS = join(REPO, 'test/.artifacts');

const PROFILES: Profile[] = [
  { id: 'invoice_booking', tier: 2, runsPerDay: 60, mean: 0.9, spread: 0.12, threshold: 0.8, failRate: 0.012, overrideRate: 0.08, openDays: 2, suite: { passRate: 1 }, signedOff: [-1] },
  { id: 'support_triage', tier: 1, runsPerDay: 40, mean: 0.82, spread: 0.2, threshold: 0.7, failRate: 0.004, overrideRate: 0.05, openDays: 3, staleEvery: 90, suite: { passRate: 0.9 }, signedOff: [-1] },
  { id: 'lead_router', tier: 3, runsPerDay: 90, mean: 0.94, spread: 0.06, threshold: 0.9, failRate: 0.02, overrideRate: 0.15, openDays: 1, mismatches: 4, signedOff: [-1] },
  { id: 'contract_extractor', tier: 2, runsPerDay: 12, mean: 0.75, spread: 0.25, threshold: 0.6, failRate: 0.03, overrideRate: 0.12, openDays: 3, suite: { passRate: 1 } },
  { id: 'expense_coder', tier: 3, runsPerDay: 30, mean: 0.96, spread: 0.04, threshold: 0.85, failRate: 0.003, overrideRate: 0.1, openDays: 1, signedOff: [-1] },
];
const NAMES: Record<string, string> = {
  invoice_booking: 'Invoice booking',
  support_triage: 'Support ticket triage',
  lead_router: 'Lead router',
  contract_extractor: 'Contract clause extractor',
  expense_coder: 'Expense coder',
};
const OWNERS: Record<string, string> = {
  invoice_booking: 'finance-ops@example.com',
  support_triage: 'support-leads@example.com',
  lead_router: 'sales-eng@example.com',
  contract_extractor: 'legal-ops@example.com',
  expense_coder: 'finance-ops@example.com',
};
const HOSTILE = '<script>alert(1)</script>';

const cleanups: (() => void)[] = [];
let context: BrowserContext;

/** A workspace with these automations, pinned, its log written; returns the page the built binary wrote. */
async function dashboardPage(automations: Record<string, string>, profiles: Profile[]): Promise<string> {
  const server = await startModelServer({ aliases: { 'gpt-4o-mini': 'gpt-4o-mini-2024-07-18' }, record: false });
  const files: Record<string, string> = { 'aigov.yaml': configYaml(server.openaiBaseURL), 'prompts/cls.yaml': promptYaml('cls') };
  for (const [id, yaml] of Object.entries(automations)) {
    files[`automations/${id}.yaml`] = yaml;
    if (yaml.includes('evals:')) files[`evals/${id}.yaml`] = `suite: ${id}\nprompt: cls\ncases:\n  - id: one\n    vars: { text: a }\n    expect: ok\n`;
  }
  const w = tempWorkspace(files);
  cleanups.push(w.cleanup);
  try {
    // pinned, so no automation shows lock drift
    const pin = await aigov(['pin', '--as', 'ops@example.com'], { cwd: w.root });
    if (pin.exitCode !== 0) throw new Error(`pin failed: ${pin.stderr}`);
  } finally {
    await server.close();
  }
  await writeRealisticLog(w.root, profiles, new Date());
  const r = await aigov(['dashboard', '--since', '42d', '--html', 'dashboard.html'], { cwd: w.root });
  if (r.exitCode !== 0) throw new Error(`dashboard failed: ${r.stderr}`);
  return join(w.root, 'dashboard.html');
}

interface Visit {
  page: Page;
  consoleErrors: string[];
  requests: string[];
  dialogs: string[];
}

async function visit(file: string): Promise<Visit> {
  const page = await context.newPage();
  const v: Visit = { page, consoleErrors: [], requests: [], dialogs: [] };
  const url = pathToFileURL(file).href;
  page.on('console', (m) => void (m.type() === 'error' && v.consoleErrors.push(m.text())));
  page.on('pageerror', (e) => void v.consoleErrors.push(String(e)));
  page.on('request', (req) => void (req.url() !== url && v.requests.push(req.url())));
  page.on('dialog', (d) => {
    v.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(url, { waitUntil: 'load', timeout: 20_000 });
  return v;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  const profile = mkdtempSync(join(tmpdir(), 'aigov-chromium-'));
  cleanups.push(() => rmSync(profile, { recursive: true, force: true }));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, timeout: 30_000 });
}, 60_000);
afterAll(async () => {
  await context?.close();
  cleanups.forEach((c) => c());
});

describe('the HTML dashboard in Chromium', () => {
  it('loads with no console error and no request, one section per automation, ten histogram bars each', async () => {
    const file = await dashboardPage(
      Object.fromEntries(PROFILES.map((p) => [p.id, automationYaml(p.id, p.tier, 'cls', `confidence: { threshold: ${p.threshold} }\n${p.suite ? `evals: [${p.id}]\n` : ''}${p.tier === 2 ? 'reversal: { window: 24h, command: [node, undo.mjs] }\n' : ''}`).replace(`name: ${p.id}\n`, `name: ${NAMES[p.id]}\n`).replace('owner: ops@example.com', `owner: ${OWNERS[p.id]}`)])),
      PROFILES,
    );
    const v = await visit(file);
    expect(v.consoleErrors).toEqual([]);
    expect(v.requests).toEqual([]);
    expect(await v.page.locator('section.automation').count()).toBe(PROFILES.length);
    for (const p of PROFILES) {
      const section = v.page.locator(`section.automation[data-automation="${p.id}"]`);
      expect(await section.locator('h2').textContent()).toBe(NAMES[p.id]);
      expect(await section.locator('svg.histogram rect.bar').count()).toBe(10);
      expect(await section.locator('svg.weekly rect.rate').count()).toBeGreaterThanOrEqual(12);
    }
    // the triage queue waits: its backlog chart is drawn
    expect(await v.page.locator('section.automation[data-automation="support_triage"] svg.backlog rect.age').count()).toBe(4);
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'dashboard.png');
    await v.page.screenshot({ path: shot, fullPage: true });
    if (process.env.AIGOV_README_SCREENSHOT) {
      await v.page.screenshot({ path: join(ARTIFACTS, 'dashboard-readme.png'), clip: { x: 0, y: 0, width: 1280, height: 1250 } });
      copyFileSync(join(ARTIFACTS, 'dashboard-readme.png'), join(REPO, 'docs/dashboard.png'));
    }
  }, 60_000);

  it('shows an automation named <script>alert(1)</script> as text, and runs nothing', async () => {
    const file = await dashboardPage({ xss: automationYaml('xss', 1, 'cls').replace('name: xss\n', `name: "${HOSTILE}"\n`) }, [{ ...PROFILES[1], id: 'xss', runsPerDay: 5 }]);
    const v = await visit(file);
    expect(v.dialogs).toEqual([]);
    expect(v.consoleErrors).toEqual([]);
    expect(await v.page.locator('script').count()).toBe(0);
    expect(await v.page.locator('section.automation h2').textContent()).toBe(HOSTILE);
    expect(await v.page.locator('table a').first().textContent()).toBe(HOSTILE);
    await v.page.screenshot({ path: join(ARTIFACTS, 'dashboard-hostile.png') });
  }, 60_000);
});
