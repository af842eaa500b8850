// Loaded with `node --import` by end-to-end tests: makes a report renderer throw,
// as a bug in one would, when it makes the model's answer safe to print and the
// answer holds the marker below. Renderers replace through a function (each
// control character by its stand-in); assertions and the diff do not.
export const MARKER = 'CRASH-IN-RENDERER';
const replace = String.prototype.replace;
String.prototype.replace = function patchedReplace(pattern, replacement) {
  if (typeof replacement === 'function' && pattern instanceof RegExp && String(this).includes(MARKER)) throw new TypeError('simulated bug in a renderer');
  return replace.call(this, pattern, replacement);
};
