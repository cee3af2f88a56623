/**
 * One failing fixture per generator rule (test/generator/fixtures/err_*): the
 * generator must stop with the exact message in the fixture's expected.txt.
 * generate() writes nothing itself, so a failure leaves no output (the CLI
 * test checks that at the command level).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, fixtureNames, generateFixture } from './support.js';

describe('generator error rules', () => {
  const names = fixtureNames('err_');
  it('has a fixture for every rule', () => {
    expect(names).toEqual([
      'err_arg_count', 'err_bad_include', 'err_bad_operand', 'err_bad_param', 'err_bad_size', 'err_bad_width', 'err_dispatch',
      'err_duplicate_op', 'err_malformed_line', 'err_missing_width', 'err_object_like', 'err_template_field',
      'err_template_header', 'err_template_helper', 'err_template_syntax', 'err_two_values', 'err_type_error',
      'err_unknown_family',
    ]);
  });
  for (const name of names) {
    it(`${name} fails with its message`, async () => {
      const expected = readFileSync(path.join(FIXTURES, name, 'expected.txt'), 'utf8').trim();
      let message = '';
      try {
        await generateFixture(name);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message, `${name} did not fail`).not.toBe('');
      // Rules about the C tables and templates name file:line exactly; rules about
      // the generated TypeScript name the function (their lines move with the templates).
      expect(message).toContain(expected);
      if (expected.startsWith('templates/')) expect(message.startsWith(expected)).toBe(true);
    });
  }
});
