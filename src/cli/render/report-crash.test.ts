import { describe, expect, it } from 'vitest';
import { InternalError } from '../../errors.js';
import type { EvalReport } from '../../core/eval/report.js';
import { FORMATS, renderReport } from './report.js';

const o = { json: false, quiet: false, color: false, progress: false, out: () => {}, err: () => {} };

describe('renderReport', () => {
  it.each(FORMATS.filter((f) => f !== 'json'))('a %s renderer that throws is an internal error naming it', (format) => {
    // A report whose suites cannot be read stands in for any bug in a renderer.
    const broken = { totals: {}, warnings: [], suites: [null] } as unknown as EvalReport;
    let thrown: unknown;
    try {
      renderReport(broken, format, o);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InternalError);
    expect((thrown as InternalError).message).toMatch(new RegExp(`^the ${format} report renderer threw: TypeError: `));
  });
});
