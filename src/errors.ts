// Every error a user can act on is an AigovError. The CLI's one exit point maps
// `exitCode` to the process exit code and prints `message` (and `hint`), never a stack.

/** 70 is an internal error (a bug), never a user error. */
export type ExitCode = 0 | 1 | 2 | 3 | 70 | 130;

/**
 * Every stable error code, with what it means. The README lists them all (a
 * test keeps the two in step); `ErrorCode` is derived from this list, so a
 * misspelled code does not compile.
 */
export const ERROR_CODES = {
  E_USAGE: 'bad usage: an unknown flag, a missing argument, flags that do not go together',
  E_INVALID: 'the workspace has errors (each printed with file:line:col)',
  E_NO_WORKSPACE: 'no aigov.yaml here or above (or at --root)',
  E_UNLOCKED: 'a model is not pinned in aigov.lock',
  E_STALE_LOCK: 'aigov.lock is older than what aigov.yaml or the prompts ask for',
  E_PROMPT_NOT_BUMPED: "a prompt's content changed without a version bump",
  E_INTERRUPTED: 'interrupted (Ctrl-C)',
  E_WORKSPACE_EXISTS: 'init found an aigov.yaml in the folder or above it: a workspace is already there',
  E_FILE_EXISTS: 'init would overwrite existing files (--force replaces them)',
  E_CANNOT_EDIT: 'a value could not be written into a workspace file without changing its layout (e.g. an alias on the way); nothing was written',
  E_CANNOT_ACCEPT: '--accept refused a case: an expect would not make it pass, or it has no single output to accept',
  E_PLAN_TOO_LARGE: 'an eval would run more case samples (cases × repeats) than the memory budget allows',
  E_NOT_GIT_REPO: 'the command needs git and a git repository (--changed-since, aigov prompt at a version or ref, diff, history), and there is none',
  E_UNKNOWN_REF: 'a git ref (branch, tag, commit) that the repository does not have',
  E_UNKNOWN_PROMPT: 'a prompt id that the workspace (or the workspace at the git ref asked for) does not have',
  E_UNKNOWN_VERSION: 'a prompt version that neither git history nor the working tree has',
  E_MERGE_BAD_REPORT: '--merge was given a file that is not a complete JSON shard report (unreadable, not JSON, another layout, no shard i/n, interrupted)',
  E_MERGE_COMMIT_MISMATCH: '--merge was given shard reports of different commits',
  E_MERGE_LOCK_MISMATCH: '--merge was given shard reports run under different aigov.lock files',
  E_MERGE_SHARD_MISSING: '--merge was not given the report of every shard (1/n to n/n)',
  E_MERGE_SHARD_DUPLICATE: '--merge was given the report of one shard twice',
  E_MERGE_MISMATCH: '--merge was given shard reports of different runs (shard count, mode, suites, prompts or cases differ)',
  E_GIT_FAILED: 'git failed on a repository it recognised (a corrupt or locked repository)',
  E_INTERNAL: 'a bug in aigov: an exception inside an assertion, a provider adapter or a renderer (please report it)',
  E_FILE_UNREADABLE: 'a file cannot be read: a folder where a file should be, a dangling or looping symbolic link, no permission, not a regular file',
  E_FILE_UNWRITABLE: 'a file cannot be written: no permission, a read-only file system, a folder in its place',
  E_OUTPUT_PATH: 'a report cannot be written there (-o, GITHUB_STEP_SUMMARY): a folder, a missing folder, no permission',
  E_FILE_SYSTEM: 'the file system failed: disk full, an I/O error, too many open files',
  E_STORE: 'the run log could not be read or written',
  E_STORE_BUSY: 'the run log stayed locked by another writer',
  E_STORE_AUTH: 'the run log server refused the login',
  E_STORE_UNREACHABLE: 'the run log server could not be reached',
  E_CHAIN_BROKEN: 'the run log hash chain is broken',
  E_SEAL_MISMATCH: 'the run log no longer matches a seal in aigov.seals',
  E_SEAL_ROOT_MISMATCH: "a seal's Merkle root is not the root of the log's events up to its seq",
  E_SEAL_SIGNATURE: "a seal's signature does not verify under the key it names",
  E_SEAL_KEY_UNKNOWN: 'a seal is signed by a key that aigov.yaml (or --public-key) does not list',
  E_SEAL_UNSIGNED: 'a seal is unsigned although an earlier seal is signed',
  E_SEAL_KEY: 'the seal signing key (AIGOV_SEAL_KEY) is missing, unreadable, or not listed in aigov.yaml',
  E_NOT_SEALED: 'no seal covers the run yet: seal the log, then prove',
  E_PROOF_FORMAT: 'the proof file is not a run proof this aigov can read',
  E_PROOF_EVENT: "an event in the proof does not hash to its recorded hash (it was edited)",
  E_PROOF_INCLUSION: "an event's inclusion proof does not lead to its seal's Merkle root",
  E_PROOF_SEAL: "the proof's seal is not in aigov.seals, or differs from it",
  E_PROOF_CONSISTENCY: "the proof does not show that its seal extends the seal that first covered the run",
  E_AWAITING_REVIEW: 'the run waits for a human review',
  E_APPROVAL_REQUIRED: 'at tier 1 a run needs approval before it is acted on',
  E_REJECTED: 'a reviewer rejected the run',
  E_RUN_NOT_FINISHED: 'the run has not finished successfully',
  E_NOT_REVERSIBLE: 'the run has no reversible action',
  E_NOTHING_TO_REVERT: 'the run took no action',
  E_ALREADY_REVERTED: 'the action was already reverted',
  E_WINDOW_CLOSED: 'the reversal window has closed',
  E_REVERT_FAILED: 'the reversal command failed',
  E_CONFLICT: 'another caller changed the run first (a racing review, act or revert); nothing was written',
  E_ALREADY_ACTED: 'the run was already acted on: an action is never repeated',
  E_IN_DOUBT: 'an action or a revert started and has not recorded its end: it may have happened',
  E_ALREADY_RESOLVED: 'the run was already decided in review: decisions are final',
  E_RUN_ENDED: 'the run has already ended: only a run that started and never finished can be closed',
  E_CONFIDENCE: 'a confidence passed to the library is not a finite number from 0 to 1',
  E_IMPACT: 'an impact passed to act or tag is malformed, or names a system outside downstream',
  E_INPUT_KEY: 'AIGOV_INPUT_KEY is set but shorter than 32 characters',
  E_PROVIDER_RATE_LIMIT: 'the provider kept answering 429 after every retry',
  E_PROVIDER_SERVER: 'the provider kept answering 5xx after every retry',
  E_PROVIDER_TIMEOUT: 'the provider did not answer in time after every retry',
  E_PROVIDER_NETWORK: 'the provider could not be reached (reset, refused, dropped)',
  E_PROVIDER_AUTH: 'the provider refused the API key, or none is set',
  E_PROVIDER_BAD_REQUEST: 'the provider refused the request (4xx)',
  E_PROVIDER_MALFORMED: 'the provider answered something that is not a valid response',
  E_PROVIDER_NOT_FOUND: 'the provider does not know the model',
  E_PROVIDER_NO_RECORDING: '--replay found no recording for a request',
  E_PROVIDER_EXEC: "the exec provider's command failed",
  E_NO_LEDGER: 'promote or demote found no ledger of tiers to record in: no aigov.lock, or a version 1 lock (run `aigov pin` first)',
  E_CHANGED_MEANWHILE: 'aigov.lock or the automation file changed while promote or demote ran, or another tier change of the automation was logged meanwhile; no file was written',
  E_TIER_CHANGE_INCOMPLETE: 'the run log took a tier_changed event but writing the automation file or aigov.lock failed; the change is not in effect (the message says what each file holds)',
  E_DOCS_NAME_CLASH: 'two automations (or one and the index) would get the same governance page on a case-insensitive file system',
  E_GITHUB_CONTEXT: 'aigov github comment lacks what it needs: a token (GITHUB_TOKEN), the repository (GITHUB_REPOSITORY) or a pull request in the event (GITHUB_EVENT_PATH)',
  E_GITHUB_AUTH: 'the GitHub API refused the token (401): missing, expired or revoked',
  E_GITHUB_FORBIDDEN: "the GitHub API refused the comment (403): the token lacks pull-requests write permission (read-only on pull requests from forks)",
  E_GITHUB_NOT_FOUND: 'the GitHub API does not know the repository, the pull request or the comment (404), or the token may not see it',
  E_GITHUB_RATE_LIMIT: 'the GitHub API rate limit is used up (403 or 429); the message says when it resets',
  E_GITHUB_API: 'the GitHub API failed or answered something unexpected (5xx after retries, another status, a body that is not the JSON it documents)',
  E_GITHUB_NETWORK: 'the GitHub API could not be reached (refused, reset, timed out)',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A place in a workspace file: 1-based line and column, and the path inside the document. */
export interface Location {
  file: string;
  line?: number;
  col?: number;
  path?: string;
}

/** One problem found in a workspace file. Validation collects these instead of throwing. */
export interface Problem extends Location {
  severity: 'error' | 'warning';
  message: string;
  hint?: string;
  /** Only where the problem is of a class of its own, such as a file that cannot be read. */
  code?: ErrorCode;
}

export function formatLocation(loc: Location): string {
  let at = loc.file;
  if (loc.line) at += `:${loc.line}:${loc.col ?? 1}`;
  return at;
}

export function formatProblem(p: Problem): string {
  const code = p.code ? ` ${p.code}${p.path ? '' : ':'}` : '';
  const path = p.path ? ` ${p.path}:` : '';
  const hint = p.hint ? ` (${p.hint})` : '';
  return `${formatLocation(p)} ${p.severity}${code}${path} ${p.message}${hint}`;
}

export class AigovError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  readonly hint?: string;
  readonly location?: Location;
  constructor(code: ErrorCode, message: string, opts: { exitCode?: ExitCode; hint?: string; location?: Location; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = opts.exitCode ?? 2;
    this.hint = opts.hint;
    this.location = opts.location;
  }
}

/** Bad usage or bad input (exit 2). */
export class UsageError extends AigovError {
  constructor(message: string, opts: { hint?: string; location?: Location; code?: ErrorCode } = {}) {
    super(opts.code ?? 'E_USAGE', message, { ...opts, exitCode: 2 });
  }
}

/** The workspace has errors; every one of them is in `problems` (exit 2). */
export class InvalidWorkspaceError extends AigovError {
  readonly problems: Problem[];
  /** Where the workspace was read, when not the working tree: `the --baseline ref main`. */
  readonly at?: string;
  constructor(problems: Problem[], opts: { at?: string } = {}) {
    const errors = problems.filter((p) => p.severity === 'error');
    super('E_INVALID', errors.map(formatProblem).join('\n') || 'invalid workspace', { exitCode: 2 });
    this.problems = problems;
    this.at = opts.at;
  }
}

/** What an internal error asks of the person who met it. */
export const REPORT_A_BUG = 'this is a bug in aigov: please report it with the command you ran (--debug shows the stack)';

/**
 * A bug in aigov (exit 70): an exception where none was expected, inside an
 * assertion, a provider adapter or a renderer. It stops the run; it is never a
 * failed case, so a bug cannot pass for a worse prompt.
 */
export class InternalError extends AigovError {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super('E_INTERNAL', message, { exitCode: 70, hint: REPORT_A_BUG, cause: opts.cause });
  }
}

/** An AigovError as it is; anything else thrown is a bug, wrapped with where it happened. */
export function asInternal(err: unknown, where: string): AigovError {
  if (err instanceof AigovError) return err;
  const what = err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
  return new InternalError(`${where}: ${what}`, { cause: err });
}

/** A gate failed: a deviation, a stale lock, an unmet promotion gate, a broken chain (exit 1). */
export class GateError extends AigovError {
  constructor(code: ErrorCode, message: string, opts: { hint?: string; location?: Location } = {}) {
    super(code, message, { ...opts, exitCode: 1 });
  }
}

export type ProviderErrorKind =
  | 'rate_limit' // 429
  | 'server' // 5xx
  | 'timeout'
  | 'network' // reset, refused, dropped
  | 'auth' // 401/403, missing key
  | 'bad_request' // other 4xx
  | 'malformed' // a response we cannot read
  | 'not_found' // unknown model
  | 'no_recording' // --replay without a fixture
  | 'exec'; // the exec provider's command failed

const RETRYABLE: ReadonlySet<ProviderErrorKind> = new Set(['rate_limit', 'server', 'timeout', 'network']);

/** A provider or infrastructure failure (exit 3). Carried as data on a case result, thrown elsewhere. */
export class ProviderError extends AigovError {
  readonly kind: ProviderErrorKind;
  readonly status?: number;
  readonly retryAfterMs?: number;
  constructor(kind: ProviderErrorKind, message: string, opts: { status?: number; retryAfterMs?: number; hint?: string; cause?: unknown } = {}) {
    super(`E_PROVIDER_${kind.toUpperCase() as Uppercase<ProviderErrorKind>}` satisfies ErrorCode, message, { exitCode: 3, hint: opts.hint, cause: opts.cause });
    this.kind = kind;
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
  }
  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}

export type GitHubErrorCode = 'E_GITHUB_AUTH' | 'E_GITHUB_FORBIDDEN' | 'E_GITHUB_NOT_FOUND' | 'E_GITHUB_RATE_LIMIT' | 'E_GITHUB_API' | 'E_GITHUB_NETWORK';

/** The GitHub API failed or refused (exit 3, infrastructure, like a provider failure). */
export class GitHubError extends AigovError {
  readonly status?: number;
  constructor(code: GitHubErrorCode, message: string, opts: { status?: number; hint?: string; cause?: unknown } = {}) {
    super(code, message, { exitCode: 3, hint: opts.hint, cause: opts.cause });
    this.status = opts.status;
  }
}

/** The user pressed Ctrl-C (exit 130). */
export class InterruptedError extends AigovError {
  constructor(message = 'interrupted') {
    super('E_INTERRUPTED', message, { exitCode: 130 });
  }
}

/** The library refused an action the automation's tier or the run's state does not allow. */
export class TierError extends AigovError {
  constructor(code: ErrorCode, message: string, opts: { hint?: string } = {}) {
    super(code, message, { ...opts, exitCode: 1 });
  }
}

/** A conditional append lost a race: another caller changed the run first (exit 1). */
export class ConflictError extends AigovError {
  constructor(message: string, opts: { hint?: string } = {}) {
    super('E_CONFLICT', message, { ...opts, exitCode: 1 });
  }
}
