// What the run log keeps of an input it must not quote: a fingerprint, and
// error messages with every echo of the input cut out. Pure.
import { createHmac } from 'node:crypto';
import { UsageError } from '../../errors.js';
import { canonicalJson, sha256 } from '../canonical.js';

export interface InputFingerprint {
  /** sha256 of the canonical JSON; hmac-sha256 under AIGOV_INPUT_KEY where one is set. */
  alg: 'sha256' | 'hmac-sha256';
  value: string;
}

/** A key shorter than this could itself be guessed, and every fingerprint with it. */
export const MIN_INPUT_KEY_LENGTH = 32;

export function checkInputKey(key: string | undefined): string | undefined {
  if (key === undefined || key === '') return undefined;
  if (key.length < MIN_INPUT_KEY_LENGTH) {
    throw new UsageError(`AIGOV_INPUT_KEY is ${key.length} characters long; it needs at least ${MIN_INPUT_KEY_LENGTH}`, {
      code: 'E_INPUT_KEY',
      hint: 'e.g. openssl rand -hex 32',
    });
  }
  return key;
}

/**
 * A plain sha256 of a short input is a guess away from the input (an e-mail or
 * an IBAN is found by trying candidates); an HMAC under a secret key is not.
 */
export function inputFingerprint(input: unknown, key?: string): InputFingerprint {
  const text = canonicalJson(input);
  if (!key) return { alg: 'sha256', value: sha256(text) };
  return { alg: 'hmac-sha256', value: createHmac('sha256', key).update(text).digest('hex') };
}

/** Runs shorter than this are left in a message unless a whole short input value stands there as a word. */
export const ECHO_RUN = 6;
export const REDACTED = '[input]';

/**
 * `message` with everything that quotes `input` replaced by [input]: every run
 * of ECHO_RUN or more characters that also occurs in an input value (so a
 * truncated or partial echo is caught too), and every shorter input value that
 * stands alone (not inside a longer word or number). Values are read as they
 * are and as JSON-escaped, the way a provider echoes a request body.
 */
export function redactInput(message: string, input: unknown): string {
  const values = new Set<string>();
  collect(input, values);
  if (values.size === 0 || message === '') return message;
  const hidden = new Uint8Array(message.length);
  // The message is short and the input may be long: index the message's runs
  // and read each input value once.
  const runs = new Map<string, number[]>();
  for (let i = 0; i + ECHO_RUN <= message.length; i++) {
    const run = message.slice(i, i + ECHO_RUN);
    const at = runs.get(run);
    if (at) at.push(i);
    else runs.set(run, [i]);
  }
  for (const v of values) {
    if (v.length >= ECHO_RUN) {
      for (let j = 0; j + ECHO_RUN <= v.length; j++) {
        const at = runs.get(v.slice(j, j + ECHO_RUN));
        if (at) for (const i of at) hidden.fill(1, i, i + ECHO_RUN);
      }
    } else {
      for (let i = message.indexOf(v); i >= 0; i = message.indexOf(v, i + 1)) {
        if (!wordChar(message[i - 1]) && !wordChar(message[i + v.length])) hidden.fill(1, i, i + v.length);
      }
    }
  }
  let out = '';
  for (let i = 0; i < message.length; i++) {
    if (!hidden[i]) out += message[i];
    else if (i === 0 || !hidden[i - 1]) out += REDACTED;
  }
  return out;
}

function collect(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    if (value === '') return;
    into.add(value);
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) into.add(escaped);
  } else if (typeof value === 'number' || typeof value === 'bigint') {
    into.add(String(value));
  } else if (Array.isArray(value)) {
    for (const v of value) collect(v, into);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) collect(v, into);
  }
}

function wordChar(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}\p{N}_]/u.test(c);
}
