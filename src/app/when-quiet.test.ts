import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { whenQuiet } from './when-quiet.js';

describe('whenQuiet', () => {
  it('starts the work once, at the first pause after an answer, not while answers keep coming', async () => {
    let started = 0;
    const q = whenQuiet(() => started++, 200);
    await sleep(300);
    expect(started).toBe(0); // no answer yet: nothing to pause after
    for (let i = 0; i < 8; i++) {
      q.answered();
      await sleep(5);
    }
    expect(started).toBe(0);
    await sleep(300);
    expect(started).toBe(1);
    q.answered();
    await sleep(300);
    expect(started).toBe(1);
  });

  it('starts nothing once stopped, and keeps no timer that would hold the process', async () => {
    let started = 0;
    const q = whenQuiet(() => started++, 10);
    q.answered();
    q.stop();
    q.answered();
    await sleep(30);
    expect(started).toBe(0);
  });
});
