import { describe, expect, it } from 'vitest';
import { nextPageUrl } from './link-header.js';

const API = 'https://api.github.com/repositories/1/issues/7/comments';

describe('nextPageUrl', () => {
  it.each([
    ['GitHub’s first page', `<${API}?per_page=100&page=2>; rel="next", <${API}?per_page=100&page=5>; rel="last"`, `${API}?per_page=100&page=2`],
    ['a middle page, next after prev', `<${API}?page=1>; rel="prev", <${API}?page=3>; rel="next", <${API}?page=1>; rel="first"`, `${API}?page=3`],
    ['the last page', `<${API}?page=4>; rel="prev", <${API}?page=1>; rel="first"`, undefined],
    ['no header', undefined, undefined],
    ['an empty header', '', undefined],
    ['rel unquoted, with other parameters', `<${API}?page=2>; title="x"; rel=next`, `${API}?page=2`],
    ['several relations in one', `<${API}?page=2>; rel="next last"`, `${API}?page=2`],
    ['a comma inside the URL', `<${API}?labels=a,b&page=2>; rel="next"`, `${API}?labels=a,b&page=2`],
    ['garbage', 'next page please', undefined],
  ])('%s', (_n, link, want) => expect(nextPageUrl(link)).toBe(want));
});
