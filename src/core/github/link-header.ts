// The `Link` header of a paginated GitHub answer (RFC 8288), as GitHub writes it:
// `<https://api.github.com/...&page=2>; rel="next", <...>; rel="last"`. Pure.

/** The URL of the next page, or undefined on the last one. */
export function nextPageUrl(link: string | null | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (!m) continue;
    const rels = /(?:^|;)\s*rel\s*=\s*(?:"([^"]*)"|([^\s;]+))/i.exec(m[2]);
    const names = (rels?.[1] ?? rels?.[2] ?? '').split(/\s+/);
    if (names.includes('next')) return m[1];
  }
  return undefined;
}
