// A real HTTP server speaking the OpenAI and Anthropic wire formats, so tests and
// benchmarks exercise the real SDKs without a network. Plain JavaScript so that
// `bench/*.mjs` can import it without a build step.
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';

const DEFAULT_MODELS = {
  openai: ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'gpt-4o', 'gpt-4o-2024-05-13', 'gpt-4o-2024-08-06'],
  anthropic: ['claude-haiku-4-5-20251001', 'claude-opus-4-1-20250805', 'claude-3-5-haiku-20241022'],
};
const CREATED = 1_700_000_000;
const FAULT_KINDS = new Set(['429', '500', 'hang', 'drop', 'malformed', '401', '404']);

export async function startModelServer(opts = {}) {
  let latencyMs = opts.latencyMs ?? 0;
  let answer = opts.answer ?? (() => 'ok');
  const record = opts.record !== false;
  const models = { openai: opts.models?.openai ?? DEFAULT_MODELS.openai, anthropic: opts.models?.anthropic ?? DEFAULT_MODELS.anthropic };
  const aliases = opts.aliases ?? {};
  const retryAfterSeconds = opts.retryAfterSeconds ?? 0;
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
      return provider === 'openai' ? openaiCompletion(body, res) : anthropicMessage(body, res);
    }
    if (req.method === 'GET' && path === '/openai/v1/models') return sendJson(res, 200, openaiModels());
    if (req.method === 'GET' && path === '/anthropic/v1/models') return sendJson(res, 200, anthropicModels(url.searchParams));
    return sendJson(res, 404, errorBody(provider, 'not_found', `no route for ${req.method} ${path}`));
  }

  async function openaiCompletion(body, res) {
    const requested = String(body?.model ?? '');
    const messages = (body?.messages ?? []).map((m) => ({ role: m.role, content: textOf(m.content) }));
    const a = normalize(await answer({ provider: 'openai', model: requested, messages, body }));
    const model = a.model ?? aliases[requested] ?? requested;
    const logprobs = body?.logprobs ? { content: (a.logprobs ?? synthLogprobs(a.text)).map(tokenLogprob), refusal: null } : null;
    sendJson(res, 200, {
      id: `chatcmpl-${++counter}`,
      object: 'chat.completion',
      created: CREATED + counter,
      model,
      system_fingerprint: fingerprint(model),
      choices: [{ index: 0, message: { role: 'assistant', content: a.text, refusal: null }, logprobs, finish_reason: 'stop' }],
      usage: usage(countWords(messages), countWords([{ content: a.text }])),
    });
  }

  async function anthropicMessage(body, res) {
    const requested = String(body?.model ?? '');
    const system = body?.system === undefined ? [] : [{ role: 'system', content: textOf(body.system) }];
    const messages = [...system, ...(body?.messages ?? []).map((m) => ({ role: m.role, content: textOf(m.content) }))];
    const a = normalize(await answer({ provider: 'anthropic', model: requested, messages, body }));
    const model = a.model ?? aliases[requested] ?? requested;
    sendJson(res, 200, {
      id: `msg_${++counter}`,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: a.text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: countWords(messages), output_tokens: countWords([{ content: a.text }]) },
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

  function sendFault(provider, kind, res) {
    switch (kind) {
      case '429':
        return sendJson(res, 429, errorBody(provider, 'rate_limit', 'Rate limit reached; please try again later.'), { 'retry-after': String(retryAfterSeconds) });
      case '500':
        return sendJson(res, 500, errorBody(provider, 'server', 'The server had an error while processing your request.'));
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

function sendJson(res, status, value, headers = {}) {
  const text = JSON.stringify(value);
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

function tokenLogprob({ token, logprob }) {
  return { token, logprob, bytes: [...Buffer.from(token, 'utf8')], top_logprobs: [] };
}

function fingerprint(model) {
  return `fp_${createHash('sha256').update(model).digest('hex').slice(0, 10)}`;
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
