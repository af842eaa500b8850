// A house model behind a command: the request goes in as JSON on stdin, the answer comes
// back on stdout, either as plain text or as a JSON object with a string `text`.
import { execa } from 'execa';
import { ProviderError, UsageError } from '../errors.js';
import { abortReason } from './errors.js';
import { killGroup, spawnedInGroup, trackGroup } from './process-group.js';
import type { ModelResponse, Provider, ProviderSettings, TokenLogprob } from './types.js';

export function create(settings: ProviderSettings, env: Record<string, string | undefined>): Provider {
  const name = settings.name;
  const command = settings.command;
  if (!command?.length) throw new UsageError(`provider "${name}" has type exec but no command`, { hint: 'add command: [program, ...args] under providers in aigov.yaml' });
  const [file, ...args] = command;
  const shown = `\`${command.join(' ')}\``;
  const childEnv = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));

  return {
    name,
    async complete(model, request, opts) {
      const started = performance.now();
      const input = JSON.stringify({
        model,
        messages: request.messages,
        params: request.params,
        json: request.json ?? false,
        ...(request.schema ? { schema: request.schema.schema } : {}),
        logprobs: request.logprobs ?? false,
      });
      // Its own process group, so that whatever the command starts in turn is stopped with it:
      // on a timeout, on the first Ctrl-C (the caller's signal), and when aigov exits.
      const child = execa(file, args, { cwd: settings.cwd, env: childEnv, input, reject: false, stripFinalNewline: false, detached: spawnedInGroup });
      const untrack = trackGroup(child.pid);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child, 'SIGKILL');
      }, opts.timeoutMs);
      const onAbort = () => killGroup(child, 'SIGTERM');
      if (opts.signal?.aborted) onAbort();
      else opts.signal?.addEventListener('abort', onAbort, { once: true });
      let result: Awaited<typeof child>;
      try {
        result = await child;
      } finally {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        untrack();
      }
      const latencyMs = Math.round(performance.now() - started);
      if (opts.signal?.aborted) throw abortReason(opts.signal);
      if (timedOut) throw new ProviderError('timeout', `exec provider "${name}": ${shown} did not finish within ${opts.timeoutMs} ms`);
      if (result.exitCode === undefined && !result.signal) {
        const why = String(result.originalMessage ?? result.shortMessage ?? 'it could not be started').split('\n')[0];
        throw new ProviderError('exec', `exec provider "${name}": cannot run ${shown}: ${why}`, { hint: 'check `command` under providers in aigov.yaml', cause: result.cause });
      }
      if (result.exitCode !== 0) {
        const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
        const first = String(result.stderr ?? '').split(/\r?\n/).find((l) => l.trim()) ?? '';
        throw new ProviderError('exec', `exec provider "${name}": ${shown} ${how}${first ? `: ${first.trim()}` : ''}`);
      }
      return parseAnswer(String(result.stdout ?? ''), latencyMs);
    },
    async listModels() {
      return null;
    },
  };
}

/** stdout as the command's answer: `{text, model?, tokens?, logprobs?, truncated?}` when it is such a JSON object, else plain text. */
export function parseAnswer(stdout: string, latencyMs: number): ModelResponse {
  const structured = asStructured(stdout);
  if (!structured) {
    return { text: stdout.replace(/\r?\n$/, ''), modelReturned: null, systemFingerprint: null, tokens: { input: 0, output: 0 }, latencyMs, logprobs: null };
  }
  const tokens = structured.tokens as Record<string, unknown> | undefined;
  const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
  const logprobs = Array.isArray(structured.logprobs)
    ? (structured.logprobs as unknown[]).filter(isTokenLogprob).map((t) => ({ token: t.token, logprob: t.logprob }))
    : null;
  return {
    text: structured.text as string,
    modelReturned: typeof structured.model === 'string' ? structured.model : null,
    systemFingerprint: null,
    tokens: { input: count(tokens?.input), output: count(tokens?.output) },
    latencyMs,
    logprobs,
    ...(structured.truncated === true ? { truncated: true } : {}),
  };
}

function asStructured(stdout: string): Record<string, unknown> | null {
  const trimmed = stdout.trim();
  if (!trimmed.startsWith('{')) return null;
  try {
    const value = JSON.parse(trimmed) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value) && typeof (value as { text?: unknown }).text === 'string') {
      return value as Record<string, unknown>;
    }
  } catch {
    // Not JSON: the whole of stdout is the answer.
  }
  return null;
}

function isTokenLogprob(v: unknown): v is TokenLogprob {
  return !!v && typeof v === 'object' && typeof (v as TokenLogprob).token === 'string' && typeof (v as TokenLogprob).logprob === 'number';
}
