// Valid payloads for tests that log events by hand: the store checks each
// payload against its type's schema, so a test event carries what the library
// would log, plus whatever the test wants to find again.

export function startedData(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    inputSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    triggeredBy: null,
    tier: 2,
    prompt: { id: 'p', version: 3, sha256: 'cd' },
    model: { requested: 'openai:m', resolved: 'openai:m-2024-07-18' },
    ...extra,
  };
}

export function finishedData(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { output: 'x', confidence: 0.9, confidenceSource: 'logprobs', disposition: 'auto', costUsd: 0.002, durationMs: 40, tokens: { input: 1, output: 1 }, ...extra };
}
