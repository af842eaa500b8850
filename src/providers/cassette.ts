// Recorded model responses for `--replay` and `--record`: fixtures/<group>.yaml,
// one file per prompt (or `judge`), indexed by request key. Replay answers only
// from these files; record merges new recordings into them, sorted by key so a
// re-record shows up in review as a small diff.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import * as z from 'zod';
import { ProviderError, UsageError } from '../errors.js';
import { fileError } from '../fs/file-errors.js';
import { writeFilesAtomic } from '../fs/atomic.js';
import { parseSource, problemAt } from '../core/workspace/source.js';
import type { ModelRequest, ModelResponse } from './types.js';

export const DEFAULT_HEADER = '# Recorded by `aigov eval --record`. Regenerate rather than edit by hand.';
const GROUP = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

// Built on the first fixture read, not at import: a live run reads none.
let cassetteSchema: ReturnType<typeof buildCassetteSchema> | undefined;
function buildCassetteSchema() {
  const requestSchema = z.strictObject({
    messages: z.array(z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: z.string() })),
    params: z.record(z.string(), z.unknown()),
    json: z.boolean().optional(),
    schema: z.strictObject({ name: z.string().min(1), schema: z.record(z.string(), z.unknown()), strict: z.boolean().optional() }).optional(),
    logprobs: z.boolean().optional(),
  });
  const responseSchema = z.strictObject({
    text: z.string(),
    modelReturned: z.string().nullable(),
    systemFingerprint: z.string().nullable(),
    tokens: z.strictObject({
      input: z.number().nonnegative(),
      output: z.number().nonnegative(),
      cacheRead: z.number().nonnegative().optional(),
      cacheWrite: z.number().nonnegative().optional(),
    }),
    latencyMs: z.number().nonnegative(),
    logprobs: z.array(z.strictObject({ token: z.string(), logprob: z.number() })).nullable().optional(),
    truncated: z.boolean().optional(),
  });
  const recordingSchema = z.strictObject({
    key: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 hex digest'),
    provider: z.string().min(1),
    model: z.string().min(1),
    sample: z.int().nonnegative(),
    request: requestSchema,
    response: responseSchema,
  });
  return z.strictObject({ version: z.literal(1), recordings: z.array(recordingSchema) });
}

export interface Recording {
  key: string;
  provider: string;
  model: string;
  sample: number;
  request: ModelRequest;
  response: ModelResponse;
}

export interface RecordingWanted {
  group: string;
  provider: string;
  model: string;
  sample: number;
}

export interface Cassettes {
  /** The recorded response for `key`, or ProviderError('no_recording'). Loads every fixture file on first use. */
  find(key: string, wanted: RecordingWanted): Promise<ModelResponse>;
  /** Keeps a new recording in memory until `flush`. */
  record(group: string, recording: Recording): void;
  /** Writes every touched group file, merged with what it held; returns the paths written. */
  flush(): Promise<string[]>;
}

export function fixturesDir(root: string): string {
  return join(root, 'fixtures');
}

/** Fixture files from elsewhere than the working tree (`--baseline` adds those of its ref), each named as messages should name it. */
export type MoreFixtures = () => Promise<{ file: string; text: string }[]>;

export function createCassettes(root: string, opts: { more?: MoreFixtures } = {}): Cassettes {
  const dir = fixturesDir(root);
  let index: Promise<Map<string, ModelResponse>> | undefined;
  const pending = new Map<string, Map<string, Recording>>();

  return {
    async find(key, wanted) {
      index ??= loadIndex(dir, opts.more);
      const hit = (await index).get(key);
      if (hit) return hit;
      const what = wanted.group === 'judge' ? 'judge call' : `prompt "${wanted.group}"`;
      throw new ProviderError(
        'no_recording',
        `no recording for ${what} (${wanted.provider} ${wanted.model}, sample ${wanted.sample}) in fixtures/${wanted.group}.yaml`,
        { hint: 'the request or model changed since it was recorded, or it never was: run `aigov eval --record` to record it' },
      );
    },
    record(group, recording) {
      if (!GROUP.test(group)) throw new UsageError(`cannot record into fixtures group "${group}": not a valid file name`);
      let recs = pending.get(group);
      if (!recs) pending.set(group, (recs = new Map()));
      recs.set(recording.key, recording);
    },
    async flush() {
      const files: { path: string; content: string }[] = [];
      for (const [group, recs] of [...pending].sort(([a], [b]) => a.localeCompare(b))) {
        const path = join(dir, `${group}.yaml`);
        const existing = await readIfExists(path);
        const merged = new Map<string, Recording>();
        let header = DEFAULT_HEADER;
        if (existing !== null) {
          header = leadingComments(existing) || DEFAULT_HEADER;
          for (const r of parseCassette(`fixtures/${group}.yaml`, existing)) merged.set(r.key, r);
        }
        for (const [key, r] of recs) merged.set(key, r);
        files.push({ path, content: renderCassette([...merged.values()], header) });
      }
      writeFilesAtomic(files);
      pending.clear();
      index = undefined;
      return files.map((f) => f.path);
    },
  };
}

async function loadIndex(dir: string, more?: MoreFixtures): Promise<Map<string, ModelResponse>> {
  const index = await loadDir(dir);
  // The working tree's recording of a request wins; the others fill in what it lacks.
  for (const { file, text } of (await more?.()) ?? []) {
    for (const r of parseCassette(file, text)) if (!index.has(r.key)) index.set(r.key, r.response);
  }
  return index;
}

async function loadDir(dir: string): Promise<Map<string, ModelResponse>> {
  const index = new Map<string, ModelResponse>();
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.yaml')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return index;
    throw err;
  }
  // A folder or a dangling link among the fixtures is the user's to fix, named by its path.
  const texts = await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8').catch((err: unknown) => Promise.reject(fileError(err, `fixtures/${n}`, 'read') ?? err))));
  names.forEach((name, i) => {
    for (const r of parseCassette(`fixtures/${name}`, texts[i])) index.set(r.key, r.response);
  });
  return index;
}

/** The recordings in one fixture file; a file that is not valid YAML or not the format is a UsageError naming it. */
export function parseCassette(file: string, text: string): Recording[] {
  const { source, value, problems } = parseSource(file, text);
  const bad = problems[0];
  if (bad) {
    throw new UsageError(`${file}:${bad.line ?? 1}:${bad.col ?? 1} ${bad.message}`, {
      location: { file, line: bad.line, col: bad.col },
      hint: 'regenerate it with `aigov eval --record`',
    });
  }
  const parsed = (cassetteSchema ??= buildCassetteSchema()).safeParse(value);
  if (parsed.success) return parsed.data.recordings as Recording[];
  const issue = parsed.error.issues[0];
  const p = problemAt(source, issue.path as (string | number)[], issue.message);
  const at = p.path ? ` ${p.path}:` : '';
  throw new UsageError(`${file}:${p.line}:${p.col} is not a fixture file:${at} ${issue.message}`, {
    location: { file, line: p.line, col: p.col, path: p.path },
    hint: 'regenerate it with `aigov eval --record`',
  });
}

export function renderCassette(recordings: Recording[], header: string = DEFAULT_HEADER): string {
  const sorted = [...recordings].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const doc = { version: 1, recordings: sorted.map(plain) };
  // Identical requests across samples are separate objects in the file, never YAML aliases.
  const body = stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 });
  return `${header.trimEnd()}\n${body}`;
}

function plain(r: Recording): Recording {
  const { messages, params, json, schema, logprobs } = r.request;
  const res = r.response;
  const { cacheRead, cacheWrite } = res.tokens;
  return {
    key: r.key,
    provider: r.provider,
    model: r.model,
    sample: r.sample,
    request: {
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      params,
      ...(json === undefined ? {} : { json }),
      ...(schema === undefined ? {} : { schema }),
      ...(logprobs === undefined ? {} : { logprobs }),
    },
    response: {
      text: res.text,
      modelReturned: res.modelReturned,
      systemFingerprint: res.systemFingerprint,
      tokens: { input: res.tokens.input, output: res.tokens.output, ...(cacheRead === undefined ? {} : { cacheRead }), ...(cacheWrite === undefined ? {} : { cacheWrite }) },
      latencyMs: res.latencyMs,
      ...(res.logprobs === undefined ? {} : { logprobs: res.logprobs }),
      ...(res.truncated === undefined ? {} : { truncated: res.truncated }),
    },
  };
}

/** The comment lines a file starts with (people may add a schema header or a note). */
function leadingComments(text: string): string {
  const lines: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*(#.*)?$/.test(line)) lines.push(line);
    else break;
  }
  return lines.join('\n').trim();
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
