// A one-line progress bar on stderr, only where a person is watching.
import type { Output } from './output.js';

export function progressBar(o: Output, label: string): { update(done: number, total: number): void; end(): void } {
  if (!o.progress) return { update() {}, end() {} };
  let last = 0;
  return {
    update(done, total) {
      const now = Date.now();
      if (done < total && now - last < 80) return;
      last = now;
      const width = 30;
      const filled = Math.round((done / Math.max(1, total)) * width);
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
    },
    end() {
      process.stderr.write('\r\x1b[K');
    },
  };
}
