import { describe, expect, it } from 'vitest';
import { parseRepository, pullRequestNumber } from './event.js';

describe('pullRequestNumber', () => {
  it.each([
    ['pull_request', { action: 'synchronize', number: 12, pull_request: { number: 12, base: { ref: 'main' } } }, 12],
    ['pull_request_target', { pull_request: { number: 3 } }, 3],
    ['issue_comment on a pull request', { issue: { number: 9, pull_request: { url: 'x' } } }, 9],
    ['issue_comment on a plain issue', { issue: { number: 9 } }, undefined],
    ['push', { ref: 'refs/heads/main', after: 'abc' }, undefined],
    ['a number that is a string', { pull_request: { number: '12' } }, undefined],
    ['zero', { pull_request: { number: 0 } }, undefined],
    ['not an object', [1], undefined],
    ['null', null, undefined],
  ])('%s', (_n, event, want) => expect(pullRequestNumber(event)).toBe(want));
});

describe('parseRepository', () => {
  it.each([
    ['octo-org/aigov', { owner: 'octo-org', repo: 'aigov' }],
    ['me/my.repo_2', { owner: 'me', repo: 'my.repo_2' }],
    ['me/..', null],
    ['me/a/b', null],
    ['me', null],
    ['', null],
    [undefined, null],
    ['-me/x', null],
  ])('%s', (value, want) => expect(parseRepository(value)).toEqual(want));
});
