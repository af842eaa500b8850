import { describe, expect, it } from 'vitest';
import { isDated, newestSnapshot } from './snapshots.js';

describe('snapshots', () => {
  it.each([
    ['gpt-4o-mini', false],
    ['gpt-4o-mini-2024-07-18', true],
    ['claude-sonnet-4-5-20250929', true],
    ['claude-sonnet-4-5', false],
    ['model-2024-13-01', false],
  ])('isDated(%s) = %s', (id, dated) => expect(isDated(id)).toBe(dated));

  it.each([
    ['gpt-4o-mini', ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'gpt-4o-mini-2025-01-31', 'gpt-4o-2024-08-06'], 'gpt-4o-mini-2025-01-31'],
    ['gpt-4o', ['gpt-4o-mini-2025-01-31', 'gpt-4o-2024-08-06', 'gpt-4o-2024-05-13'], 'gpt-4o-2024-08-06'],
    ['gpt-4o-mini', ['gpt-4o-mini-audio-preview-2024-12-17', 'gpt-4o-mini-2024-07-18'], 'gpt-4o-mini-2024-07-18'],
    ['claude-sonnet-4-5', ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-20250514'], 'claude-sonnet-4-5-20250929'],
    ['house', ['house'], undefined],
  ])('newestSnapshot(%s)', (alias, listed, expected) => expect(newestSnapshot(alias, listed)).toBe(expected));
});
