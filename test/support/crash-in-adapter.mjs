// Loaded with `node --import` by end-to-end tests: makes the OpenAI adapter throw,
// as a bug in it would, while it reads an answer whose body holds the marker
// below. Only the adapter decodes an answer's body to text; the server's answer
// never reaches an assertion.
export const MARKER = 'CRASH-IN-ADAPTER';
const toString = Buffer.prototype.toString;
Buffer.prototype.toString = function patchedToString(...args) {
  const text = toString.apply(this, args);
  if (text.includes(MARKER)) throw new TypeError('simulated bug in a provider adapter');
  return text;
};
