/**
 * The atomic_t family's generator (generator/atomics.ts): the table in the
 * kernel's shape read with a file:line error per rule, the kernel's meta
 * expansion, body lookup, and the doc comment every generated function carries.
 * Fast: no type-check here (make check and check.test.ts validate the output).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ATOMICS_TABLE, expandRow, parseAtomicsTable, renderAtomics } from '../../generator/atomics.js';
import { ROOT } from './support.js';

const TABLE = readFileSync(path.join(ROOT, 'templates', ATOMICS_TABLE), 'utf8');

function parseError(text: string): string {
  try {
    parseAtomicsTable(text, 't.tbl');
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

describe('templates/atomic/atomics.tbl', () => {
  it('expands as the kernel expands scripts/atomic/atomics.tbl: 85 functions per type', () => {
    const rows = parseAtomicsTable(TABLE, 'atomics.tbl');
    expect(rows.map((r) => r.name)).toEqual([
      'read', 'set', 'add', 'sub', 'inc', 'dec', 'and', 'andnot', 'or', 'xor', 'xchg', 'cmpxchg', 'try_cmpxchg',
      'sub_and_test', 'dec_and_test', 'inc_and_test', 'add_negative', 'add_unless', 'inc_not_zero', 'inc_unless_negative',
      'dec_unless_positive', 'dec_if_positive',
    ]);
    const ops = rows.flatMap(expandRow).map((v) => v.op);
    expect(ops).toHaveLength(85);
    expect(expandRow(rows[0]).map((v) => v.op)).toEqual(['read', 'read_acquire']);
    expect(expandRow(rows[1]).map((v) => v.op)).toEqual(['set', 'set_release']);
    expect(expandRow(rows[2]).map((v) => v.op)).toEqual([
      'add', 'add_return', 'add_return_acquire', 'add_return_release', 'add_return_relaxed',
      'fetch_add', 'fetch_add_acquire', 'fetch_add_release', 'fetch_add_relaxed',
    ]);
    expect(expandRow(rows[6]).map((v) => v.op)).toEqual(['and', 'fetch_and', 'fetch_and_acquire', 'fetch_and_release', 'fetch_and_relaxed']);
    expect(expandRow(rows.find((r) => r.name === 'add_unless')!).map((v) => v.op)).toEqual(['fetch_add_unless', 'add_unless']);
    expect(expandRow(rows.find((r) => r.name === 'add_negative')!).map((v) => v.op)).toEqual([
      'add_negative', 'add_negative_acquire', 'add_negative_release', 'add_negative_relaxed',
    ]);
    expect(ops).not.toContain('read_release');
    expect(ops).not.toContain('sub_and_test_acquire');
  });

  it('reports each malformed row at file:line', () => {
    expect(parseError('# c\nadd vRF i v\nadd vRF i v\n')).toBe("t.tbl:3: error: 'add' is listed twice");
    expect(parseError('Add v i v\n')).toBe("t.tbl:1: error: 'Add' is not an operation name (lower case letters, digits, _)");
    expect(parseError('\nadd\n')).toBe('t.tbl:2: error: add: no meta letters (one of vRFfBbIils)');
    expect(parseError('add vX i v\n')).toBe("t.tbl:1: error: add: unknown meta letter 'X' (known: vRFfBbIils)");
    expect(parseError('add v q:x v\n')).toBe("t.tbl:1: error: add: unknown argument type 'q' in 'q:x' (known: v, cv, i, p)");
    expect(parseError('add v i\n')).toBe('t.tbl:1: error: add: needs exactly one atomic pointer argument (v or cv)');
    expect(parseError('add v i v v:w\n')).toBe('t.tbl:1: error: add: needs exactly one atomic pointer argument (v or cv)');
  });

  it('fails at the table row when a row has no body template', () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'percpu-atomics-'));
    try {
      const dir = path.join(scratch, 'templates');
      cpSync(path.join(ROOT, 'templates', 'atomic'), path.join(dir, 'atomic'), { recursive: true });
      writeFileSync(path.join(dir, ATOMICS_TABLE), `${TABLE}nand\t\t\tv\ti\tv\n`);
      const line = TABLE.split('\n').length;
      expect(() => renderAtomics(dir, scratch, { relative: '../' }, 'generator/cli.ts')).toThrow(
        `templates/atomic/atomics.tbl:${line}: error: nand: no body template (templates/atomic/bodies/nand.hbs)`,
      );
      writeFileSync(path.join(dir, ATOMICS_TABLE), TABLE);
      writeFileSync(path.join(dir, 'atomic/bodies/inc.hbs'), '{{!--\nAdds one.\n--}}\n{{#update}}{{mul "old" one}}{{/update}}\n');
      expect(() => renderAtomics(dir, scratch, { relative: '../' }, 'generator/cli.ts')).toThrow(/^templates\/atomic\/bodies\/inc\.hbs:4: error: template error: .*mul/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('the generated atomics', () => {
  const fast = readFileSync(path.join(ROOT, 'generated/atomic.ts'), 'utf8');
  const stepped = readFileSync(path.join(ROOT, 'generated/atomic-stepped.ts'), 'utf8');

  function docOf(text: string, fn: string): string {
    const at = text.search(new RegExp(`^export function\\*? ${fn}\\(`, 'm'));
    expect(at, fn).toBeGreaterThan(0);
    return text.slice(text.lastIndexOf('/**', at), at);
  }

  it('every function has a doc comment: what it does, its ordering, its C prototype and kernel source, its table row and body', () => {
    expect(fast.match(/^export function /gm)).toHaveLength(255);
    expect(stepped.match(/^export function\* /gm)).toHaveLength(255);
    expect(docOf(fast, 'atomic_fetch_add_release')).toBe([
      '/**',
      ' * atomic_fetch_add_release(i, v): Atomically updates `v` to (`v` + `i`). Returns the original value of `v`.',
      ' *',
      ' * Ordering: release in the kernel. Memory here is sequentially consistent, so acquire, release and relaxed differ in name only. It is the same operation as atomic_fetch_add().',
      ' *',
      ' * C:      int atomic_fetch_add_release(int i, atomic_t *v)',
      ' * Kernel: atomic_fetch_add_release() in include/linux/atomic/atomic-instrumented.h (v6.16), generated from scripts/atomic/atomics.tbl',
      ` * Table:  templates/atomic/atomics.tbl:${TABLE.split('\n').findIndex((l) => l.startsWith('add\t')) + 1} \`add vRF i v\``,
      ' * Body:   templates/atomic/bodies/add.hbs',
      ' *',
      ' * @group atomic_t',
      ' * @category add',
      ' */',
      '',
    ].join('\n'));
    expect(docOf(fast, 'atomic_long_add')).toContain('Ordering: relaxed (no ordering) in the kernel.');
    expect(docOf(fast, 'atomic64_try_cmpxchg')).toContain(' * C:      bool atomic64_try_cmpxchg(atomic64_t *v, s64 *old, s64 new)');
    expect(docOf(stepped, 'atomic_read')).toContain('Stepped: one scheduler step');
  });

  it('atomic_inc is straight-line: the machine and pointer checks, one load, one store', () => {
    const at = fast.indexOf('export function atomic_inc(');
    expect(fast.slice(at, fast.indexOf('\n}\n', at) + 2)).toBe([
      'export function atomic_inc(m: Machine, v: KPtr<unknown>): void {',
      '  if (typeof m !== "object" || m === null || m.constructor !== Machine || !m.booted) throw badAtomicMachine("atomic_inc", m);',
      '  if (typeof v !== "object" || v === null || v.constructor !== KPtr || v.ctype !== ATOMIC_T || v.extent.machine !== m) throw badAtomicPtr("atomic_inc", m, v, ATOMIC_T);',
      '  const addr = v.addr;',
      '  const old = m.view.getInt32(addr, true);',
      '  m.view.setInt32(addr, (old + 1) | 0, true);',
      '}',
    ].join('\n'));
  });
});
