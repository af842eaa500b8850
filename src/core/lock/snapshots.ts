// How an alias maps to a dated snapshot: `<alias>-YYYY-MM-DD` or `<alias>-YYYYMMDD`.

const DATED = /-(\d{4})-?(\d{2})-?(\d{2})$/;

/** The snapshot date of a model id as YYYYMMDD, or undefined for an alias. */
export function snapshotDate(id: string): string | undefined {
  const m = DATED.exec(id);
  if (!m) return undefined;
  const [, y, mo, d] = m;
  if (+mo < 1 || +mo > 12 || +d < 1 || +d > 31) return undefined;
  return `${y}${mo}${d}`;
}

export function isDated(id: string): boolean {
  return snapshotDate(id) !== undefined;
}

/** The newest dated snapshot of `alias`'s family among `listed`, or undefined where the list tells nothing. */
export function newestSnapshot(alias: string, listed: readonly string[]): string | undefined {
  let best: { id: string; date: string } | undefined;
  for (const id of listed) {
    if (!id.startsWith(`${alias}-`)) continue;
    const date = snapshotDate(id);
    // `gpt-4o-mini-2024-07-18` belongs to `gpt-4o-mini`, but `gpt-4o-mini-audio-2024-12-17` does not.
    if (!date || id.slice(alias.length + 1).replace(/-/g, '').length !== 8) continue;
    if (!best || date > best.date) best = { id, date };
  }
  return best?.id;
}

export function splitModelRef(ref: string): { provider: string; model: string } {
  const i = ref.indexOf(':');
  return { provider: ref.slice(0, i), model: ref.slice(i + 1) };
}
