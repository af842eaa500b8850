import { describe, expect, it } from 'vitest';
import { terminalSafe } from './terminal-safe.js';

describe('terminalSafe', () => {
  it.each([
    ['plain text is kept', 'travel', 'travel'],
    ['newlines and tabs are kept', 'a\n\tb', 'a\n\tb'],
    ['unicode text is kept', 'Straße 😀 عربى', 'Straße 😀 عربى'],
    ['a colour sequence is shown, not run', '\x1b[31mred\x1b[0m', '␛[31mred␛[0m'],
    ['clear screen', '\x1b[2J\x1b[H', '␛[2J␛[H'],
    ['a window title (OSC, ended by BEL)', '\x1b]0;owned\x07', '␛]0;owned␇'],
    ['a forged hyperlink (OSC 8, ended by ST)', '\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\', '␛]8;;http://evil␛\\click␛]8;;␛\\'],
    ['a carriage return cannot overwrite the line', 'FAIL\rPASS', 'FAIL␍PASS'],
    ['NUL, backspace, vertical tab, form feed', '\x00\x08\x0b\x0c', '␀␈␋␌'],
    ['DEL', 'a\x7fb', 'a␡b'],
    ['an 8-bit CSI (C1)', '\u009b31mred', '⟨U+009B⟩31mred'],
    ['every C1 control', '\u0080\u0085\u009f', '⟨U+0080⟩⟨U+0085⟩⟨U+009F⟩'],
    ['a right-to-left override', 'user\u202Eexe.txt', 'user⟨U+202E⟩exe.txt'],
    ['bidi embeddings and isolates', '\u202A\u202B\u202C\u202D\u2066\u2067\u2068\u2069', '⟨U+202A⟩⟨U+202B⟩⟨U+202C⟩⟨U+202D⟩⟨U+2066⟩⟨U+2067⟩⟨U+2068⟩⟨U+2069⟩'],
    ['U+00A0 and later Latin-1 are text', '\u00a0é', '\u00a0é'],
    ['empty', '', ''],
  ])('%s', (_name, input, output) => {
    expect(terminalSafe(input)).toBe(output);
  });

  it('leaves no byte a terminal acts on', () => {
    const every = Array.from({ length: 0x300 }, (_, i) => String.fromCharCode(i)).join('') + '\u202A\u202E\u2066\u2069';
    // eslint-disable-next-line no-control-regex
    expect(terminalSafe(every)).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/);
  });
});
