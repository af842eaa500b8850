import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../errors.js';
import { schemas } from './schemas.js';
import { parseSource } from './source.js';
import { checkSchema } from './validate-schema.js';

function problems(text: string): string[] {
  const { source, value, problems } = parseSource('prompts/x.yaml', text);
  if (problems.length) return problems.map(formatProblem);
  return checkSchema(source, value, schemas().promptSchema).problems.map(formatProblem);
}

describe('checkSchema', () => {
  it.each([
    [
      'unknown key, with a did-you-mean from the schema',
      'id: x\nversion: 1\nmodel: m\nmessages: [{ role: user, content: hi }]\nvars:\n  a: { type: string, requird: true }\n',
      ['prompts/x.yaml:6:22 error vars.a.requird: unknown key "requird" (did you mean "required"?)'],
    ],
    [
      'bad enum value at its line',
      'id: x\nversion: 1\nmodel: m\nmessages:\n  - role: sys\n    content: hi\n',
      [expect.stringMatching(/^prompts\/x.yaml:5:11 error messages\[0\]\.role: /)],
    ],
    [
      'missing required field at the document',
      'id: x\nversion: 1\nmessages: [{ role: user, content: hi }]\n',
      ['prompts/x.yaml:1:1 error model: required: expected string'],
    ],
    [
      'version must be positive',
      'id: x\nversion: 0\nmodel: m\nmessages: [{ role: user, content: hi }]\n',
      [expect.stringMatching(/^prompts\/x.yaml:2:10 error version: /)],
    ],
    ['invalid YAML', 'id: [x\n', [expect.stringMatching(/^prompts\/x.yaml:\d+:\d+ error invalid YAML: /)]],
    ['duplicate keys', 'id: x\nid: y\n', [expect.stringMatching(/^prompts\/x.yaml:2:1 error invalid YAML: Map keys must be unique/)]],
    [
      'alias bomb',
      'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n',
      [expect.stringMatching(/alias bomb/)],
    ],
  ])('%s', (_name, text, expected) => {
    expect(problems(text)).toEqual(expected);
  });
});
