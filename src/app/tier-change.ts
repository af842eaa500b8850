// Recording a tier change, all or nothing: `tier:` in the automation's file,
// a `tier_changed` event in the run log, and the automation's entry in the
// lock's ledger, which names that event by its hash.
//
// The lock needs the event's hash, so the event comes first. The order:
//   1. both new texts worked out, the files checked unchanged since they were
//      read, the automation file staged (written and fsynced beside itself);
//   2. the event appended: if that fails, the staged file is dropped and
//      nothing at all has changed;
//   3. the lock staged with the event's hash, then the automation file renamed
//      into place, then the lock.
// A failure after 2 leaves an event no lock entry refers to: it is not in
// effect, and is said so (E_TIER_CHANGE_INCOMPLETE). Two changes of one
// automation racing (two people, or two machines sharing the log): after its
// append each looks for a tier_changed of that automation logged since it read
// the log; one that finds another writes no file (E_CHANGED_MEANWHILE), so at
// most one takes effect, the first to append. If the lock's rename
// fails after the automation file's, the automation file is restored. Should a
// crash come between the two renames, runs still get the lower of the file's
// and the lock's tier: a promotion is not in effect (and `pin --check` names the
// file's tier as raised by hand), a demotion is.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AigovError } from '../errors.js';
import { LOCK_FILE } from '../core/lock/broken.js';
import { lockTime, serializeLock } from '../core/lock/lockfile.js';
import type { LoggedEvent } from '../core/log/events.js';
import type { Gate } from '../core/tiers/gates.js';
import type { Tier } from '../core/tiers/policy.js';
import type { Lockfile } from '../core/workspace/schemas.js';
import type { Workspace } from '../core/workspace/workspace.js';
import { stageFile, writeFileAtomic, type StagedFile } from '../fs/atomic.js';
import type { Store } from '../store/types.js';
import type { RecordedIdentity } from './identity.js';
import { planYamlEdits } from './yaml-edit.js';

export interface TierChange {
  automation: string;
  from: Tier;
  to: Tier;
  reason: string | null;
  /** The name given (--as, AIGOV_ACTOR, git user.email): a claim, logged beside `identity`. */
  by: string;
  identity: RecordedIdentity;
  /** Every gate as it stood: the evidence. */
  gates: readonly Gate[];
  /** Promoted although gates failed (`promote --force`). */
  forced: boolean;
  at: Date;
  /** The seq of the automation's newest tier_changed when its evidence was read (0: none). */
  lastChangeSeq: number;
}

/** The file operations, for tests that make one of them fail. */
export interface TierChangeIo {
  stage(path: string, content: string): StagedFile;
  /** Puts a file's old text back after a failed change. */
  restore(path: string, content: string): void;
}

const FILES: TierChangeIo = { stage: stageFile, restore: (path, content) => writeFileAtomic(path, content) };

export interface TierChangeResult {
  event: LoggedEvent;
  /** The files written, relative to the root. */
  written: string[];
}

export async function commitTierChange(ws: Workspace, store: Store, c: TierChange, io: TierChangeIo = FILES): Promise<TierChangeResult> {
  const lock = ws.lock!;
  const file = ws.automations.get(c.automation)!.source.file;
  // 1. Both texts, from files that are still as the gates read them.
  unchangedSinceRead(ws.root, LOCK_FILE, lock.source.text);
  const plan = planYamlEdits(ws.root, [{ file, path: ['tier'], value: c.to }])[0];
  if (plan) sameText(file, plan.before, ws.automations.get(c.automation)!.source.text);
  else unchangedSinceRead(ws.root, file, ws.automations.get(c.automation)!.source.text);
  const staged = plan ? io.stage(plan.path, plan.content) : undefined;

  // 2. The event. Failing here, nothing has changed.
  const at = lockTime(c.at);
  let event: LoggedEvent;
  try {
    [event] = await store.append([
      {
        type: 'tier_changed',
        automation: c.automation,
        runId: null,
        actor: c.by,
        at,
        data: {
          from: c.from,
          to: c.to,
          reason: c.reason,
          by: c.by,
          identity: c.identity,
          forced: c.forced,
          ...(c.forced ? { failing: c.gates.filter((g) => !g.pass).map((g) => g.name) } : {}),
          evidence: c.gates,
        },
      },
    ]);
  } catch (err) {
    staged?.discard();
    throw err;
  }
  const raced = (await store.queryForFold({ automation: c.automation, types: ['tier_changed'], afterSeq: c.lastChangeSeq })).find((e) => e.seq !== event.seq);
  if (raced) {
    staged?.discard();
    throw new AigovError(
      'E_CHANGED_MEANWHILE',
      `another tier change of "${c.automation}" was logged while this one was made (#${raced.seq}, by ${String(raced.data.by)}); this one, tier_changed #${event.seq} (${event.hash}), is not in effect: ${file} and aigov.lock are as they were`,
      { exitCode: 1, hint: 'read the workspace again (git pull) and run the command again' },
    );
  }

  // 3. The lock with the event's hash, then both files into place.
  const next: Lockfile = { ...lock.value, automations: { ...lock.value.automations, [c.automation]: { tier: c.to, since: at, by: c.by, event: event.hash } } };
  const lockPath = join(ws.root, LOCK_FILE);
  const incomplete = (what: string, err: unknown, after = ''): AigovError =>
    new AigovError(
      'E_TIER_CHANGE_INCOMPLETE',
      `the run log holds tier_changed #${event.seq} (${event.hash}) for "${c.automation}" (tier ${c.from} -> ${c.to}), but ${what} failed: ${(err as Error).message}; ${after || `${file} and aigov.lock are as they were, so the change is not in effect: no lock entry refers to that event`}`,
      { exitCode: 3, hint: 'fix the cause and run the command again: the event it logs then is the one the lock names', cause: err },
    );
  let stagedLock: StagedFile;
  try {
    stagedLock = io.stage(lockPath, serializeLock(next));
  } catch (err) {
    staged?.discard();
    throw incomplete('writing aigov.lock', err);
  }
  try {
    staged?.commit();
  } catch (err) {
    staged?.discard();
    stagedLock.discard();
    throw incomplete(`writing ${file}`, err);
  }
  try {
    stagedLock.commit();
  } catch (err) {
    stagedLock.discard();
    if (!plan) throw incomplete('writing aigov.lock', err);
    try {
      io.restore(plan.path, plan.before);
    } catch (restoreErr) {
      const lower = Math.min(c.from, c.to);
      throw incomplete(
        'writing aigov.lock',
        err,
        `restoring ${file} failed too (${(restoreErr as Error).message}): it says tier ${c.to} while aigov.lock still says ${c.from}, so runs get tier ${lower}; set tier: ${c.from} back in ${file} by hand, or run the command again`,
      );
    }
    throw incomplete('writing aigov.lock', err);
  }
  return { event, written: [...(plan ? [file] : []), LOCK_FILE] };
}

function unchangedSinceRead(root: string, file: string, text: string): void {
  let now: string;
  try {
    now = readFileSync(join(root, file), 'utf8');
  } catch (err) {
    throw changed(file, (err as Error).message);
  }
  sameText(file, now, text);
}

/** `before` as on disk (a BOM included), `read` as the workspace reader saw it (without one). */
function sameText(file: string, before: string, read: string): void {
  if ((before.startsWith('\uFEFF') ? before.slice(1) : before) !== read) throw changed(file, 'it was saved while the command ran');
}

function changed(file: string, why: string): AigovError {
  return new AigovError('E_CHANGED_MEANWHILE', `${file} changed since it was read (${why}); nothing was written`, { exitCode: 1, hint: 'run the command again on the files as they are now' });
}
