// `aigov docs`: the governance pages on disk against the pages the workspace
// renders to. Writing replaces every changed page at once; checking writes nothing.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidWorkspaceError } from '../errors.js';
import { writeFilesAtomic } from '../fs/atomic.js';
import { DOCS_DIR, renderDocs } from '../core/docs/render.js';
import { isGeneratedPage } from '../core/docs/page.js';
import { hasErrors, type Workspace } from '../core/workspace/workspace.js';

export type PageStatus = 'current' | 'stale' | 'missing' | 'extra';

export interface PagePlan {
  /** Relative to the workspace root. */
  path: string;
  status: PageStatus;
  /** The automation the page documents; absent for the index and for extra pages. */
  automation?: string;
  /** What the page should hold; absent for an extra page, which should not exist. */
  content?: string;
}

/**
 * Every page the workspace renders to, with how the file on disk compares, and
 * every page `aigov docs` wrote earlier that no automation renders to any more.
 * A Markdown file in the folder that aigov did not write (no generated marker)
 * is someone else's, and is left out.
 */
export function planDocs(ws: Workspace): PagePlan[] {
  if (hasErrors(ws)) throw new InvalidWorkspaceError(ws.problems);
  const expected = renderDocs(ws);
  const onDisk = new Map(listPages(ws.root).map((path) => [path, readFileSync(join(ws.root, path), 'utf8')]));
  const plans: PagePlan[] = expected.map((page) => {
    const text = onDisk.get(page.path);
    // A checkout that turned LF into CRLF holds the same page.
    const status: PageStatus = text === undefined ? 'missing' : text.replace(/\r\n/g, '\n') === page.content ? 'current' : 'stale';
    return { path: page.path, status, automation: page.automation, content: page.content };
  });
  const wanted = new Set(expected.map((p) => p.path));
  for (const [path, text] of onDisk) if (!wanted.has(path) && isGeneratedPage(text)) plans.push({ path, status: 'extra' });
  return plans;
}

export interface DocsWritten {
  written: string[];
  removed: string[];
  unchanged: string[];
}

/** Writes every missing or stale page in one step (all or none renamed into place), then removes extra ones. */
export function writeDocs(ws: Workspace): DocsWritten {
  const plans = planDocs(ws);
  const write = plans.filter((p) => p.status === 'missing' || p.status === 'stale');
  writeFilesAtomic(write.map((p) => ({ path: join(ws.root, p.path), content: p.content! })));
  const extra = plans.filter((p) => p.status === 'extra');
  for (const p of extra) rmSync(join(ws.root, p.path), { force: true });
  return { written: write.map((p) => p.path), removed: extra.map((p) => p.path), unchanged: plans.filter((p) => p.status === 'current').map((p) => p.path) };
}

function listPages(root: string): string[] {
  const dir = join(root, DOCS_DIR);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.md') && !e.name.startsWith('.'))
    .map((e) => `${DOCS_DIR}/${e.name}`)
    .sort();
}
