// A real HTTP server speaking the OpenAI and Anthropic wire formats, so tests and
// benchmarks exercise the real SDKs without a network. Plain JavaScript so that
// `bench/*.mjs` can import it without a build step.
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

const DEFAULT_MODELS = {
  openai: ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'gpt-4o', 'gpt-4o-2024-05-13', 'gpt-4o-2024-08-06'],
  anthropic: ['claude-haiku-4-5-20251001', 'claude-opus-4-1-20250805', 'claude-3-5-haiku-20241022'],
};
const CREATED = 1_700_000_000;
const FAULT_KINDS = new Set(['429', '500', 'hang', 'drop', 'malformed', '400', '401', '404']);

export async function startModelServer(opts = {}) {
  let latencyMs = opts.latencyMs ?? 0;
  let answer = opts.answer ?? (() => 'ok');
  const record = opts.record !== false;
  const models = { openai: opts.models?.openai ?? DEFAULT_MODELS.openai, anthropic: opts.models?.anthropic ?? DEFAULT_MODELS.anthropic };
  const aliases = opts.aliases ?? {};
  const retryAfterSeconds = opts.retryAfterSeconds ?? 0;
  // Ways real servers differ from the reference APIs; every one is off by default.
  const serveModel = opts.serveModel;
  const fingerprints = opts.systemFingerprint !== false;
  const cachedTokens = opts.cachedTokens ?? { read: 0, write: 0 };
  const defaultTopLogprobs = opts.defaultTopLogprobs ?? 0;
  const jsonSchema = opts.jsonSchema ?? 'ignore';
  const gzip = opts.gzip === true;
  const enforceMaxTokens = opts.enforceMaxTokens === true;
  const faults = [];
  const requests = [];
  let counter = 0;

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        return sendJson(res, 400, { error: { message: 'request body is not JSON', type: 'invalid_request_error' } });
      }
      route(req, res, body).catch((err) => {
        if (!res.headersSent) sendJson(res, 500, { error: { message: `model server: ${err?.message ?? err}`, type: 'server_error' } });
      });
    });
  });
  server.keepAliveTimeout = 30_000;

  async function route(req, res, body) {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const provider = path.startsWith('/openai/') ? 'openai' : path.startsWith('/anthropic/') ? 'anthropic' : null;
    if (record) requests.push({ provider, path, body, headers: req.headers });
    if (latencyMs > 0) await delay(latencyMs);
    if (!provider) return sendJson(res, 404, { error: { message: `no route for ${req.method} ${path}` } });

    const isCompletion = req.method === 'POST' && (path === '/openai/v1/chat/completions' || path === '/anthropic/v1/messages');
    if (isCompletion) {
      const fault = faults.shift();
      if (fault) return sendFault(provider, fault, res);
      if (provider === 'openai' && jsonSchema === 'refuse' && body?.response_format?.type === 'json_schema') {
        // What llama.cpp-style and older OpenAI-compatible servers say to a schema they cannot enforce.
        return sendJson(res, 400, { error: { message: "Unsupported value: 'response_format.type' does not support 'json_schema' with this model.", type: 'invalid_request_error', param: 'response_format', code: 'unsupported_value' } });
      }
      return provider === 'openai' ? openaiCompletion(body, res) : anthropicMessage(body, res);
    }
    if (req.method === 'GET' && path === '/openai/v1/models') return sendJson(res, 200, openaiModels());
    if (req.method === 'GET' && path === '/anthropic/v1/models') return sendJson(res, 200, anthropicModels(url.searchParams));
    return sendJson(res, 404, errorBody(provider, 'not_found', `no route for ${req.method} ${path}`));
  }

  /** The answer as the server gives it: cut at max_tokens where told to enforce it, and the model name it reports. */
  async function answered(provider, body, messages) {
    const requested = String(body?.model ?? '');
    const a = normalize(await answer({ provider, model: requested, messages, body }));
    const limit = body?.max_completion_tokens ?? body?.max_tokens;
    let { text } = a;
    let truncated = a.truncated === true;
    if (enforceMaxTokens && typeof limit === 'number' && countWords([{ content: text }]) > limit) {
      text = text.split(/(?=\s)/).filter((w) => w.trim()).slice(0, limit).join('');
      truncated = true;
    }
    return { ...a, text, truncated, model: a.model ?? serveModel ?? aliases[requested] ?? requested };
  }

  async function openaiCompletion(body, res) {
    const messages = (body?.messages ?? []).map((m) => ({ role: m.role, content: textOf(m.content) }));
    const a = await answered('openai', body, messages);
    const top = typeof body?.top_logprobs === 'number' ? body.top_logprobs : defaultTopLogprobs;
    const logprobs = body?.logprobs ? { content: (a.logprobs ?? synthLogprobs(a.text)).map((t) => tokenLogprob(t, top)), refusal: null } : null;
    const input = countWords(messages) + (cachedTokens.read ?? 0);
    sendJson(res, 200, {
      id: `chatcmpl-${++counter}`,
      object: 'chat.completion',
      created: CREATED + counter,
      model: a.model,
      ...(fingerprints ? { system_fingerprint: fingerprint(a.model) } : {}),
      choices: [{ index: 0, message: { role: 'assistant', content: a.text, refusal: null }, logprobs, finish_reason: a.truncated ? 'length' : 'stop' }],
      usage: { ...usage(input, countWords([{ content: a.text }])), ...(cachedTokens.read ? { prompt_tokens_details: { cached_tokens: cachedTokens.read, audio_tokens: 0 } } : {}) },
    });
  }

  async function anthropicMessage(body, res) {
    const system = body?.system === undefined ? [] : [{ role: 'system', content: textOf(body.system) }];
    const messages = [...system, ...(body?.messages ?? []).map((m) => ({ role: m.role, content: textOf(m.content) }))];
    const a = await answered('anthropic', body, messages);
    const cache = cachedTokens.read || cachedTokens.write ? { cache_creation_input_tokens: cachedTokens.write ?? 0, cache_read_input_tokens: cachedTokens.read ?? 0 } : {};
    sendJson(res, 200, {
      id: `msg_${++counter}`,
      type: 'message',
      role: 'assistant',
      model: a.model,
      content: [{ type: 'text', text: a.text }],
      stop_reason: a.truncated ? 'max_tokens' : 'end_turn',
      stop_sequence: null,
      // Anthropic counts cached input apart: input_tokens is only what was neither read from nor written to the cache.
      usage: { input_tokens: countWords(messages), output_tokens: countWords([{ content: a.text }]), ...cache },
    });
  }

  function openaiModels() {
    return { object: 'list', data: models.openai.map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'system' })) };
  }

  // Paginates like the real API (limit, after_id) so that clients' page-walking is exercised.
  function anthropicModels(query) {
    const limit = Math.max(1, Number(query.get('limit') ?? 20) || 20);
    const after = query.get('after_id');
    const start = after ? models.anthropic.indexOf(after) + 1 : 0;
    const page = models.anthropic.slice(start, start + limit);
    return {
      data: page.map((id) => ({ id, type: 'model', display_name: id, created_at: new Date(CREATED * 1000).toISOString() })),
      has_more: start + limit < models.anthropic.length,
      first_id: page[0] ?? null,
      last_id: page[page.length - 1] ?? null,
    };
  }

  function sendJson(res, status, value, headers = {}) {
    const text = JSON.stringify(value);
    if (!gzip) return writeJson(res, status, text, headers);
    // Compressed whatever the client asked for, as some proxies and gateways do.
    const zipped = gzipSync(text);
    res.writeHead(status, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': zipped.length, ...headers });
    res.end(zipped);
  }

  function sendFault(provider, kind, res) {
    switch (kind) {
      case '429':
        return sendJson(res, 429, errorBody(provider, 'rate_limit', 'Rate limit reached; please try again later.'), { 'retry-after': String(retryAfterSeconds) });
      case '500':
        return sendJson(res, 500, errorBody(provider, 'server', 'The server had an error while processing your request.'));
      case '400':
        return sendJson(res, 400, errorBody(provider, 'bad_request', "Invalid value for 'temperature': must be between 0 and 2."));
      case '401':
        return sendJson(res, 401, errorBody(provider, 'auth', 'Incorrect API key provided.'));
      case '404':
        return sendJson(res, 404, errorBody(provider, 'not_found', 'The model does not exist or you do not have access to it.'));
      case 'hang':
        return; // never answered; close() destroys the socket
      case 'drop':
        return res.socket?.destroy();
      case 'malformed': {
        const text = '{"id":"chatcmpl-broken","object":"chat.completion","choices":[{"index":0,"mess';
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        return res.end(text);
      }
    }
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${server.address().port}`;

  return {
    url,
    openaiBaseURL: `${url}/openai/v1`,
    anthropicBaseURL: `${url}/anthropic`,
    requests,
    fail(kind, times = 1) {
      if (!FAULT_KINDS.has(kind)) throw new Error(`unknown fault "${kind}"`);
      for (let i = 0; i < times; i++) faults.push(kind);
    },
    clearFaults() {
      faults.length = 0;
    },
    setAnswer(fn) {
      answer = fn;
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function errorBody(provider, kind, message) {
  const types = {
    openai: { rate_limit: 'rate_limit_exceeded', server: 'server_error', auth: 'invalid_request_error', not_found: 'invalid_request_error' },
    anthropic: { rate_limit: 'rate_limit_error', server: 'api_error', auth: 'authentication_error', not_found: 'not_found_error' },
  };
  const type = types[provider]?.[kind] ?? 'invalid_request_error';
  if (provider === 'anthropic') return { type: 'error', error: { type, message } };
  return { error: { message, type, param: null, code: kind === 'rate_limit' ? 'rate_limit_exceeded' : null } };
}

function writeJson(res, status, text, headers) {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function normalize(a) {
  if (typeof a === 'string') return { text: a };
  if (a && typeof a.text === 'string') return a;
  throw new Error('answer() must return a string or {text}');
}

function textOf(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((b) => (typeof b === 'string' ? b : (b?.text ?? ''))).join('');
  return '';
}

function countWords(messages) {
  let n = 0;
  for (const m of messages) n += m.content.split(/\s+/).filter(Boolean).length;
  return n;
}

function usage(input, output) {
  return { prompt_tokens: input, completion_tokens: output, total_tokens: input + output };
}

function synthLogprobs(text) {
  return text.split(/(?=\s)/).filter(Boolean).map((token) => ({ token, logprob: 0 }));
}

/** One token with `top` alternatives: the token itself first, then made-up, less likely ones. */
function tokenLogprob({ token, logprob }, top) {
  const alternatives = Array.from({ length: top }, (_, i) => {
    const alt = i === 0 ? token : `${token}~${i}`;
    return { token: alt, logprob: i === 0 ? logprob : logprob - i, bytes: [...Buffer.from(alt, 'utf8')] };
  });
  return { token, logprob, bytes: [...Buffer.from(token, 'utf8')], top_logprobs: alternatives };
}

// One hash a model, not one an answer: under load the server's CPU is part of what the benchmarks measure.
const fingerprints = new Map();
function fingerprint(model) {
  let fp = fingerprints.get(model);
  if (fp === undefined) {
    fp = `fp_${createHash('sha256').update(model).digest('hex').slice(0, 10)}`;
    fingerprints.set(model, fp);
  }
  return fp;
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
