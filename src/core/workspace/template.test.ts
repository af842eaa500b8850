import { describe, expect, it } from 'vitest';
import { placeholders, renderTemplate } from './template.js';

describe('templates', () => {
  it.each([
    ['Invoice:\n{{invoice_text}}', { invoice_text: '<b>x</b> & "y"' }, 'Invoice:\n<b>x</b> & "y"'],
    ['{{ a }}-{{a}}', { a: 1 }, '1-1'],
    ['{{missing}}!', {}, '!'],
    ['no vars {{{{', {}, 'no vars {{{{'],
    ['{{a}}', { a: '{{b}}', b: 'no second pass' }, '{{b}}'],
  ])('renders %j', (template, vars, expected) => {
    expect(renderTemplate(template, vars)).toBe(expected);
  });

  it('finds placeholders with their offsets', () => {
    expect(placeholders('x {{ a }} y {{b}}')).toEqual([
      { name: 'a', index: 2, raw: '{{ a }}' },
      { name: 'b', index: 12, raw: '{{b}}' },
    ]);
  });
});
