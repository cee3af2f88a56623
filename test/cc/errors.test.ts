/**
 * One self-describing fixture per error rule (test/cc/errors/*.c, in the
 * style of sparse's test suite): its opening comment names the rule and
 * carries the exact message percpu-cc must stop with. A refused file writes
 * nothing and exits 2.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cc/cli.js';
import { ROOT, compileFile } from '../../cc/compile.js';

const DIR = path.join(ROOT, 'test/cc/errors');
const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.c')).sort();

function expected(file: string): { name: string; error: string } {
  const text = readFileSync(path.join(DIR, file), 'utf8');
  const name = /check-name: (.*)/.exec(text)?.[1] ?? '';
  const error = /check-error: (.*)/.exec(text)?.[1] ?? '';
  return { name, error };
}

describe('percpu-cc error rules', () => {
  it('has a fixture for every rule', () => {
    expect(fixtures.map((f) => f.replace(/\.c$/, ''))).toEqual([
      'address_of_local', 'address_space', 'arg_count', 'array_bounds', 'backward_goto', 'bitfield', 'cmpxchg64_size', 'compound_literal',
      'declared_not_defined', 'declared_percpu', 'direct_percpu', 'duplicate_case', 'error_directive', 'float', 'function_pointer',
      'implicit_function', 'include_not_found', 'inline_asm', 'local_aggregate', 'macro_args', 'no_member', 'not_percpu', 'offsetof_index',
      'out_param_not_local', 'out_param_type', 'ovalp_not_local', 'ovalp_type',
      'percpu_counter_member', 'percpu_in_function', 'pointer_init', 'return_no_value', 'shift_count', 'softirq_vector', 'softirq_vector_range',
      'stmtexpr_loop', 'struct_assign', 'struct_by_value', 'syntax',
      'try_cmpxchg_oldp', 'unknown_directive', 'unknown_type', 'unterminated_if', 'vla', 'xchg_int_to_pointer', 'xchg_not_pointer',
      'xchg_percpu', 'xchg_size',
    ]);
  });
  for (const f of fixtures) {
    const { name, error } = expected(f);
    it(`${f}: ${name}`, () => {
      expect(error).toMatch(/^test\/cc\/errors\/\w+\.c:\d+:\d+: (error|unsupported): /);
      expect(() => compileFile(path.join(DIR, f), { outDir: path.join(ROOT, '.percpu-cc'), display: `test/cc/errors/${f}`, validate: false }))
        .toThrow(error);
      try {
        compileFile(path.join(DIR, f), { outDir: path.join(ROOT, '.percpu-cc'), display: `test/cc/errors/${f}`, validate: false });
      } catch (e) {
        expect((e as Error).message).toBe(error);
      }
    });
  }
});

describe('percpu-cc command on refused C', () => {
  afterEach(() => vi.restoreAllMocks());
  // The out-parameter box (Translator.outParam), for a runtime call and for a per-CPU op, and the harness's softirq vector.
  it.each(['out_param_not_local', 'out_param_type', 'ovalp_not_local', 'ovalp_type', 'softirq_vector_range'])('%s.c: exits 2 with its message and writes nothing', async (name) => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'percpu-cc-out-'));
    const out = path.join(tmp, 'never');
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err.push(String(s)); return true; });
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
      expect(await main([`test/cc/errors/${name}.c`, '--out', out])).toBe(2);
    } finally {
      process.chdir(cwd);
    }
    expect(err.join('')).toBe(`${expected(`${name}.c`).error}\n`);
    expect(existsSync(out)).toBe(false);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('exits 2, prints the message, and writes nothing', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'percpu-cc-out-')), 'never');
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err.push(String(s)); return true; });
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
      expect(await main(['test/cc/errors/float.c', 'test/cc/diff/arith.c', '--out', out])).toBe(2);
    } finally {
      process.chdir(cwd);
    }
    expect(err.join('')).toBe(`${expected('float.c').error}\n`);
    expect(existsSync(out)).toBe(false);
    rmSync(path.dirname(out), { recursive: true, force: true });
  });
});
