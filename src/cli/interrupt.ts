// Ctrl-C while a command runs a child process (a reversal command): the first
// press says what is running, the second kills it. The child runs in its own
// process group, so the terminal's Ctrl-C does not reach it by itself.
import type { Output } from './output.js';

export async function killableOnSecondCtrlC<T>(o: Output, what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let presses = 0;
  const onSigint = (): void => {
    presses += 1;
    if (presses === 1) o.err(`\ninterrupted: ${what} is not stopped halfway by one Ctrl-C; press Ctrl-C again to kill it (the attempt is recorded)`);
    else controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
