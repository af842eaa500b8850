// A child process that takes part in a race: it gets one command a line on stdin
// and answers each with one line on stdout, so a test can start two and let
// them act at the same instant. TypeScript sources run through register-ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REGISTER_TS = fileURLToPath(new URL('./register-ts.mjs', import.meta.url));

export interface Racer {
  child: ChildProcess;
  /** Sends one command and resolves with the next line the racer prints. */
  say(line: string): Promise<string>;
}

export function startRacer(script: string, args: string[]): Promise<Racer> {
  const child = spawn(process.execPath, ['--import', REGISTER_TS, script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const waiting: ((line: string) => void)[] = [];
  let buffer = '';
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    for (let n = buffer.indexOf('\n'); n >= 0; n = buffer.indexOf('\n')) {
      waiting.shift()?.(buffer.slice(0, n));
      buffer = buffer.slice(n + 1);
    }
  });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`racer ${args[2]} did not answer: ${err}`)), 20_000);
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  const ready = next();
  return ready.then(() => ({
    child,
    say(line: string) {
      const answer = next();
      child.stdin!.write(`${line}\n`);
      return answer;
    },
  }));
}
