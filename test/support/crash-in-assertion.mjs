// Loaded with `node --import` by end-to-end tests: makes an assertion throw, as a
// bug in one would, when the model's answer is exactly the marker below. Only
// assertions trim the model's answer, so only they meet it.
export const MARKER = 'CRASH-IN-ASSERTION';
const trim = String.prototype.trim;
String.prototype.trim = function patchedTrim() {
  if (String(this) === MARKER) throw new TypeError('simulated bug in an assertion');
  return trim.call(this);
};
