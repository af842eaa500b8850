// The governance pages of a workspace: paths and contents, ready to compare or write. Pure.
import { UsageError } from '../../errors.js';
import type { Workspace } from '../workspace/workspace.js';
import { renderIndex } from './index-page.js';
import { pageInputs } from './page-input.js';
import { renderPage } from './page.js';

/** Where the pages go, relative to the workspace root. */
export const DOCS_DIR = 'docs/automations';
export const INDEX_PAGE = 'README.md';

export interface DocPage {
  /** Relative to the workspace root, with forward slashes. */
  path: string;
  content: string;
  /** The automation it documents; absent for the index. */
  automation?: string;
}

export function renderDocs(ws: Workspace): DocPage[] {
  const inputs = pageInputs(ws);
  checkPageNames(inputs.map((p) => ({ id: p.automation.id, file: p.file })));
  return [
    ...inputs.map((p) => ({ path: `${DOCS_DIR}/${p.automation.id}.md`, content: renderPage(p), automation: p.automation.id })),
    { path: `${DOCS_DIR}/${INDEX_PAGE}`, content: renderIndex(inputs) },
  ];
}

/**
 * Page names must differ case-insensitively, and from the index: on macOS and
 * Windows `Invoice.md` and `invoice.md` are one file, and an automation called
 * `readme` would overwrite the index.
 */
function checkPageNames(automations: { id: string; file: string }[]): void {
  const seen = new Map<string, string>([[INDEX_PAGE.toLowerCase(), 'the index']]);
  for (const { id, file } of automations) {
    const name = `${id}.md`.toLowerCase();
    const other = seen.get(name);
    if (other) throw new UsageError(`automation "${id}" would get the page ${DOCS_DIR}/${id}.md, which is also ${other}'s on a case-insensitive file system`, { code: 'E_DOCS_NAME_CLASH', location: { file }, hint: 'rename the automation (its id and file name)' });
    seen.set(name, `"${id}"`);
  }
}
