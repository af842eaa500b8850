// How sure the model was, by the method the prompt declares. Pure.
import type { TokenLogprob } from '../providers/types.js';
import { getPointer } from './json-pointer.js';

export type ConfidenceSource = 'logprobs' | 'field' | 'samples' | 'none';

export interface Confidence {
  /** 0..1, or null where the method could not tell. */
  value: number | null;
  source: ConfidenceSource;
  /** For samples:k, the majority answer (the run's output); otherwise the first sample's. */
  output: string;
}

export function extractConfidence(method: string, outputs: readonly { text: string; logprobs?: TokenLogprob[] | null }[]): Confidence {
  const first = outputs[0]?.text ?? '';
  if (method === 'logprobs') {
    const lp = outputs[0]?.logprobs;
    if (!lp?.length) return { value: null, source: 'logprobs', output: first };
    // The probability of the whole answer: the product of its tokens' probabilities.
    return { value: clamp(Math.exp(lp.reduce((s, t) => s + t.logprob, 0))), source: 'logprobs', output: first };
  }
  if (method.startsWith('field:')) {
    let v: unknown;
    try {
      const found = getPointer(JSON.parse(first), method.slice('field:'.length));
      v = found.found ? found.value : undefined;
    } catch {
      v = undefined;
    }
    return { value: typeof v === 'number' && v >= 0 && v <= 1 ? v : null, source: 'field', output: first };
  }
  if (method.startsWith('samples:')) {
    const counts = new Map<string, { n: number; text: string }>();
    for (const o of outputs) {
      const key = o.text.trim();
      counts.set(key, { n: (counts.get(key)?.n ?? 0) + 1, text: o.text });
    }
    const top = [...counts.values()].sort((a, b) => b.n - a.n)[0];
    return { value: top ? top.n / outputs.length : null, source: 'samples', output: top?.text ?? first };
  }
  return { value: null, source: 'none', output: first };
}

function clamp(x: number): number {
  return Math.min(1, Math.max(0, x));
}
