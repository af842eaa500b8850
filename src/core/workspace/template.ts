// Logic-less `{{var}}` templates: values go in verbatim, nothing is executed.

const PLACEHOLDER = /\{\{\s*([^{}\s]*)\s*\}\}/g;

export interface Placeholder {
  name: string;
  /** Offset of `{{` in the template. */
  index: number;
  /** The placeholder exactly as written, e.g. `{{ invoice_text }}`. */
  raw: string;
}

export function placeholders(template: string): Placeholder[] {
  const out: Placeholder[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) out.push({ name: m[1], index: m.index ?? 0, raw: m[0] });
  return out;
}

export function isValidVarName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

export function renderTemplate(template: string, vars: Readonly<Record<string, unknown>>): string {
  return template.replace(PLACEHOLDER, (_raw, name: string) => {
    const v = vars[name];
    return v === undefined || v === null ? '' : String(v);
  });
}
