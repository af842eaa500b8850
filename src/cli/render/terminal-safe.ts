// Model output and command output are untrusted text. Printed as they are, an
// ESC sequence can recolour or clear the screen, retitle the window or forge a
// hyperlink; a carriage return can overwrite a FAIL line with a PASS; a bidi
// override can make a diff read backwards. Every renderer passes such text
// through here first. Pure.
//
// Each unsafe character is replaced by a visible stand-in rather than dropped,
// so a diff still shows *that* the output differs, and where:
// - C0 controls (except \t and \n) and DEL become their Unicode control
//   pictures: ESC is "␛", CR "␍", BEL "␇". An ESC sequence is thereby shown
//   as text ("␛[31m") and does nothing.
// - C1 controls (U+0080 to U+009F, which some terminals read as ESC
//   sequences) and the bidi embedding, override and isolate characters
//   (Trojan Source, CVE-2021-42574) become "⟨U+202E⟩".

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    const code = ch.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return `⟨U+${code.toString(16).toUpperCase().padStart(4, '0')}⟩`;
  });
}
