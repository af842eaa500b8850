// Work that a run needs but that must not hold up its calls (opening the run log,
// asking git): started the first time the answers pause. Calls go out and come
// back in rounds: a round's answers arrive together, each one starting the next
// call, and then the event loop has nothing to do until the network answers
// again. Work done then costs no call any time; work done while a round is being
// answered holds back every call still to be sent (a run log created anew blocks
// the event loop for some 100 ms on its fsyncs). A run that never pauses (bound
// by CPU) gets it at its end, where the caller asks for it anyway.

/** How long without an answer counts as a pause: well above the gap between two answers of one round. */
export const QUIET_MS = 5;

export interface WhenQuiet {
  /** An answer came in: the pause is counted from now. */
  answered(): void;
  /** No more answers: nothing is started from here on. */
  stop(): void;
}

/** Calls `work` once, at the first pause of `quietMs` after an answer. */
export function whenQuiet(work: () => void, quietMs = QUIET_MS, now: () => number = () => performance.now()): WhenQuiet {
  let last = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let done = false;
  const check = () => {
    timer = undefined;
    if (done) return;
    const waited = now() - last;
    // A timer may fire a little early.
    if (waited < quietMs - 0.5) {
      timer = setTimeout(check, quietMs - waited);
      timer.unref?.();
      return;
    }
    done = true;
    work();
  };
  return {
    answered() {
      if (done) return;
      last = now();
      if (timer) return;
      timer = setTimeout(check, quietMs);
      timer.unref?.();
    },
    stop() {
      done = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
