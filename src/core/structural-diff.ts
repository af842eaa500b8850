// What changed between two JSON-like values, one entry per changed path: keys
// in sorted order, list items by position. Pure; renderers decide how it looks.
import { formatPointer } from './json-pointer.js';

export type StructuralChange =
  | { path: string; kind: 'changed'; from: unknown; to: unknown }
  | { path: string; kind: 'added'; to: unknown }
  | { path: string; kind: 'removed'; from: unknown };

/** Paths are JSON Pointers ("" for the value itself). An absent side (undefined) is an empty object. */
export function structuralDiff(from: unknown, to: unknown): StructuralChange[] {
  const out: StructuralChange[] = [];
  walk(from ?? {}, to ?? {}, [], out);
  return out;
}

function walk(a: unknown, b: unknown, path: (string | number)[], out: StructuralChange[]): void {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= b.length) out.push({ path: formatPointer([...path, i]), kind: 'removed', from: a[i] });
      else if (i >= a.length) out.push({ path: formatPointer([...path, i]), kind: 'added', to: b[i] });
      else walk(a[i], b[i], [...path, i], out);
    }
    return;
  }
  if (isRecord(a) && isRecord(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if (!Object.hasOwn(b, key)) out.push({ path: formatPointer([...path, key]), kind: 'removed', from: a[key] });
      else if (!Object.hasOwn(a, key)) out.push({ path: formatPointer([...path, key]), kind: 'added', to: b[key] });
      else walk(a[key], b[key], [...path, key], out);
    }
    return;
  }
  // Not both lists nor both mappings: only the very same scalar is equal (NaN included).
  if (!Object.is(a, b)) out.push({ path: formatPointer(path), kind: 'changed', from: a, to: b });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
