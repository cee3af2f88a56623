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
import {
  ATOMIC_BODIES, ATOMIC_HEADER, ATOMIC_HEADER_TEMPLATE, ATOMICS_TABLE, LOCAL_TABLE, expandRow, parseAtomicsTable, parseLocalTable, renderAtomicHeader, renderAtomics,
} from '../../generator/atomics.js';
import { checkFile } from '../../generator/output.js';
import { ROOT } from './support.js';

const TABLE = readFileSync(path.join(ROOT, 'templates', ATOMICS_TABLE), 'utf8');
const LOCALS = readFileSync(path.join(ROOT, 'templates', LOCAL_TABLE), 'utf8');
/** The atomic functions a local row may name: the table's expansion without the ordering variants. */
const ATOMIC_OPS = new Set(parseAtomicsTable(TABLE, 'atomics.tbl').flatMap(expandRow).filter((v) => v.order === '').map((v) => v.op));

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

function localError(text: string): string {
  try {
    parseLocalTable(text, 'l.tbl', ATOMIC_OPS);
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

describe('templates/atomic/local.tbl', () => {
  it('lists the local_t and local64_t ops of asm-generic/local.h and local64.h, each an atomic_long_t function', () => {
    const rows = parseLocalTable(LOCALS, 'local.tbl', ATOMIC_OPS);
    expect(rows.filter((r) => r.types.includes('local')).map((r) => r.op)).toEqual([
      'read', 'set', 'inc', 'dec', 'add', 'sub', 'sub_and_test', 'dec_and_test', 'inc_and_test', 'add_negative', 'add_return',
      'sub_return', 'inc_return', 'dec_return', 'cmpxchg', 'try_cmpxchg', 'xchg', 'add_unless', 'inc_not_zero',
    ]);
    expect(rows.filter((r) => r.types.includes('local64')).map((r) => r.op)).toEqual([
      'read', 'set', 'inc', 'dec', 'add', 'sub', 'sub_and_test', 'dec_and_test', 'inc_and_test', 'add_negative', 'add_return',
      'sub_return', 'inc_return', 'dec_return', 'cmpxchg', 'try_cmpxchg', 'xchg', 'add_unless', 'inc_not_zero',
    ]);
  });

  it('reports each malformed row at file:line', () => {
    expect(localError('# c\ninc local\ninc local64\n')).toBe("l.tbl:3: error: 'inc' is listed twice");
    expect(localError('add_return_relaxed local\n')).toBe('l.tbl:1: error: add_return_relaxed: local ops have no orderings; name the fully ordered function (add_return)');
    expect(localError('nand local\n')).toBe('l.tbl:1: error: nand: not a function of the atomics table (atomic_long_nand does not exist)');
    expect(localError('\ninc\n')).toBe('l.tbl:2: error: inc: no types (local, local64)');
    expect(localError('inc local32\n')).toBe("l.tbl:1: error: inc: unknown type 'local32' (known: local, local64)");
    expect(localError('inc local local\n')).toBe('l.tbl:1: error: inc: a type is listed twice');
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
    // 85 per atomic type, then 19 local_t and 15 local64_t ops (templates/atomic/local.tbl).
    expect(fast.match(/^export function /gm)).toHaveLength(255 + 38);
    expect(stepped.match(/^export function\* /gm)).toHaveLength(255 + 38);
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

  it('local_inc is atomic_long_inc\'s body on the local_t: the pointer check (which proves the machine), one load, one store', () => {
    const at = fast.indexOf('export function local_inc(');
    expect(fast.slice(at, fast.indexOf('\n}\n', at) + 2)).toBe([
      'export function local_inc(m: Machine, l: KPtr<unknown>): void {',
      '  if (typeof l !== "object" || l === null || l.constructor !== KPtr || l.ctype !== LOCAL_T || l.extent.machine !== m) throw badLocalPtr("local_inc", m, l, LOCAL_T);',
      '  if (!m.booted) throw badAtomicMachine("local_inc", m);',
      '  const addr = l.addr;',
      '  const old = m.view.getBigInt64(addr, true);',
      '  m.view.setBigInt64(addr, BigInt.asIntN(64, old + 1n), true);',
      '}',
    ].join('\n'));
    expect(docOf(fast, 'local64_add_return')).toContain([
      ' * C:      long local64_add_return(long i, local64_t *l)',
      ' * Kernel: local64_add_return(i, l) is local_add_return(i, &(l)->a) in include/asm-generic/local64.h (v6.16)',
      ` * Table:  templates/atomic/local.tbl:${LOCALS.split('\n').findIndex((l) => l.startsWith('add_return\t')) + 1} \`add_return local local64\``,
      ' * Body:   templates/atomic/bodies/add.hbs',
    ].join('\n'));
    expect(docOf(stepped, 'local_read')).toContain('its footprint is the counter\'s 8 bytes');
  });

  it('atomic_inc is straight-line: the pointer check (which proves the machine), whether it booted, one load, one store', () => {
    const at = fast.indexOf('export function atomic_inc(');
    expect(fast.slice(at, fast.indexOf('\n}\n', at) + 2)).toBe([
      'export function atomic_inc(m: Machine, v: KPtr<unknown>): void {',
      '  if (typeof v !== "object" || v === null || v.constructor !== KPtr || v.ctype !== ATOMIC_T || v.extent.machine !== m) throw badAtomicPtr("atomic_inc", m, v, ATOMIC_T);',
      '  if (!m.booted) throw badAtomicMachine("atomic_inc", m);',
      '  const addr = v.addr;',
      '  const old = m.view.getInt32(addr, true);',
      '  m.view.setInt32(addr, (old + 1) | 0, true);',
      '}',
    ].join('\n'));
  });
});

describe('<linux/atomic.h>', () => {
  const committed = readFileSync(path.join(ROOT, ATOMIC_HEADER), 'utf8');

  it('is generated from the table: one prototype per generated function, with the C signature its doc comment gives', () => {
    expect(renderAtomicHeader(path.join(ROOT, 'templates'), ROOT, 'generator/cli.ts')).toBe(committed);
    const fast = readFileSync(path.join(ROOT, 'generated/atomic.ts'), 'utf8');
    const documented = fast.split('\n').map((l) => /^ \* C: +(\S+ atomic(?:64|_long)?_\w+\(.*\))$/.exec(l)?.[1]).filter((l) => l !== undefined);
    const declared = committed.split('\n').map((l) => /^(\S+ atomic(?:64|_long)?_\w+\(.*\));$/.exec(l)?.[1]).filter((l) => l !== undefined);
    expect(declared).toHaveLength(255);
    expect(declared).toEqual(documented);
    expect(committed.split('\n').slice(0, 2)).toEqual([
      '/* SPDX-License-Identifier: GPL-2.0 */',
      '/* Code generated by generator/cli.ts from templates/atomic/atomics.tbl and templates/atomic/atomic.h.hbs. DO NOT EDIT. */',
    ]);
  });

  it('follows a new table row, and make check reports a header that was not regenerated', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'atomic-h-'));
    try {
      cpSync(path.join(ROOT, 'templates'), path.join(dir, 'templates'), { recursive: true });
      writeFileSync(path.join(dir, 'templates', ATOMICS_TABLE), `${TABLE}swap_halves\t\ti\tv\n`);
      writeFileSync(path.join(dir, 'templates', ATOMIC_BODIES, 'swap_halves.hbs'), readFileSync(path.join(ROOT, 'templates', ATOMIC_BODIES, 'read.hbs')));
      const fresh = renderAtomicHeader(path.join(dir, 'templates'), dir, 'generator/cli.ts');
      expect(fresh.split('\n').filter((l) => /^\S+ atomic\w*_swap_halves\(/.test(l))).toEqual([
        'int atomic_swap_halves(atomic_t *v);',
        's64 atomic64_swap_halves(atomic64_t *v);',
        'long atomic_long_swap_halves(atomic_long_t *v);',
      ]);
      const header = path.join(dir, 'atomic.h');
      writeFileSync(header, committed);
      const messages = checkFile(header, ATOMIC_HEADER, fresh);
      expect(messages[0]).toBe('error: c/include/linux/atomic.h differs from a fresh run of templates/ and generator/ (edited by hand, or not regenerated); run `make generate` and commit');
      expect(messages[1]).toContain('+int atomic_swap_halves(atomic_t *v);');
      expect(checkFile(header, ATOMIC_HEADER, committed)).toEqual([]);
      expect(checkFile(path.join(dir, 'none.h'), ATOMIC_HEADER, committed)).toEqual(['error: c/include/linux/atomic.h is missing; run `make generate` and commit']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a template error at the template\'s file:line', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'atomic-h-'));
    try {
      cpSync(path.join(ROOT, 'templates'), path.join(dir, 'templates'), { recursive: true });
      writeFileSync(path.join(dir, 'templates', ATOMIC_HEADER_TEMPLATE), '/* x */\n{{#each types}}\n{{ctype}}\n');
      expect(() => renderAtomicHeader(path.join(dir, 'templates'), dir, 'generator/cli.ts')).toThrow(/^templates\/atomic\/atomic\.h\.hbs:\d+: error: template syntax error/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
