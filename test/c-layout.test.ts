/**
 * The layout engine against gcc: the kernel's types (both configurations),
 * kernel-shaped per-CPU structs and a few hundred seeded random structs are
 * laid out by c/layout.ts and by gcc, and every sizeof, _Alignof and the
 * offsetof/sizeof of every member path must agree. gcc is the oracle, so
 * the expected numbers are never written by hand.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  array, cDefinition, ctypes, definitionOrder, intType, isRecord, memberRef, pointer,
  type CType, type RecordType, type TypeScope,
} from '../c/index.js';
import { ROOT } from './generator/support.js';

const GCC = spawnSync('gcc', ['--version']).status === 0;
const dir = GCC ? mkdtempSync(path.join(tmpdir(), 'c-layout-')) : '';
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** Every member path of `t`: each member, into nested records, first and last element of arrays. */
function paths(t: CType, prefix = ''): string[] {
  const out: string[] = [];
  if (t.kind === 'array' && t.length !== null && t.length > 0) {
    for (const i of new Set([0, t.length - 1])) {
      const p = `${prefix}[${i}]`;
      out.push(p, ...paths(t.of, p));
    }
  } else if (isRecord(t)) {
    for (const m of t.members ?? []) {
      if (m.name === null) {
        out.push(...paths(m.type, prefix));
        continue;
      }
      const p = prefix === '' ? m.name : `${prefix}.${m.name}`;
      out.push(p, ...paths(m.type, p));
    }
  }
  return out;
}

/** `name||size|align` and `name|path|offset|size` lines, as the engine sees them. */
function engineLines(types: readonly CType[]): string[] {
  return types.flatMap((t) => [
    `${t.name}||${t.size}|${t.align}`,
    ...paths(t).map((p) => {
      const r = memberRef(t, p);
      return `${t.name}|${p}|${r.offset}|${r.type.size}`;
    }),
  ]);
}

/** The same lines, printed by a program gcc compiled. */
function gccLines(prelude: string, types: readonly CType[], flags: readonly string[] = []): string[] {
  const body = types.flatMap((t) => [
    `  printf("%s||%zu|%zu\\n", "${t.name}", sizeof(${t.name}), _Alignof(${t.name}));`,
    ...paths(t).map((p) => {
      // sizeof does not apply to a flexible array member: its size is 0 by definition
      const flexible = memberRef(t, p).type;
      const size = flexible.kind === 'array' && flexible.length === null ? '(size_t)0' : `sizeof(((${t.name} *)0)->${p})`;
      return `  printf("%s|%s|%zu|%zu\\n", "${t.name}", "${p}", __builtin_offsetof(${t.name}, ${p}), ${size});`;
    }),
  ]);
  const src = `${prelude}\n#include <stdio.h>\nint main(void)\n{\n${body.join('\n')}\n  return 0;\n}\n`;
  const file = path.join(dir, `t${Math.random().toString(36).slice(2)}.c`);
  const exe = `${file}.out`;
  writeFileSync(file, src);
  execFileSync('gcc', ['-std=gnu11', '-funsigned-char', '-w', `-I${path.join(ROOT, 'test/c')}`, ...flags, '-o', exe, file]);
  return execFileSync(exe, { encoding: 'utf8' }).trim().split('\n');
}

const KERNEL_TYPES = [
  'atomic_t', 'atomic64_t', 'atomic_long_t', 'local_t', 'local64_t', 'u64_stats_t', 'refcount_t', 'struct list_head', 'struct hlist_head', 'struct hlist_node',
  'struct callback_head', 'struct rb_node', 'struct rb_root_cached', 'seqcount_t', 'struct u64_stats_sync', 'arch_spinlock_t',
  'raw_spinlock_t', 'struct rt_mutex_base', 'spinlock_t', 'local_lock_t', 'local_trylock_t',
];

/** The structs of test/c/kernel-shaped.h, written with the engine. */
function kernelShaped(c: TypeScope): RecordType[] {
  const mnt = c.struct('mnt_pcp', { mnt_count: 'int', mnt_writers: 'int' });
  const net = c.struct('pcpu_sw_netstats', {
    rx_packets: 'u64_stats_t', rx_bytes: 'u64_stats_t', tx_packets: 'u64_stats_t', tx_bytes: 'u64_stats_t', syncp: 'struct u64_stats_sync',
  }, { aligned: 32 });
  c.struct('folio_batch', { nr: 'unsigned char', i: 'unsigned char', percpu_pvec_drained: 'bool', folios: 'struct folio *[31]' });
  const fb = c.struct('cpu_fbatches', {
    lock: 'local_lock_t', lru_add: 'struct folio_batch', lru_deactivate_file: 'struct folio_batch', lru_deactivate: 'struct folio_batch',
    lru_lazyfree: 'struct folio_batch', lru_activate: 'struct folio_batch', lock_irq: 'local_lock_t', lru_move_tail: 'struct folio_batch',
  });
  const zs = c.struct('per_cpu_zonestat', { vm_stat_diff: 's8[11]', stat_threshold: 's8' });
  const pcp = c.struct('per_cpu_pages', {
    lock: 'spinlock_t', count: 'int', high: 'int', high_min: 'int', high_max: 'int', batch: 'int',
    flags: 'u8', alloc_factor: 'u8', expire: 'short', lists: 'struct list_head[13]',
  });
  const bh = c.struct('bh_lru', { bhs: 'struct buffer_head *[16]' });
  const memcg = c.struct('memcg_vmstats_percpu', {
    stats_updates: 'unsigned int', parent: 'struct memcg_vmstats_percpu *', state: 'long[40]', events: 'unsigned long[20]',
    state_prev: 'long[40]', events_prev: 'unsigned long[20]',
  }, { aligned: 64 });
  const wire = c.struct('wire', { kind: 'u8', len: 'u32', seq: 'u64' }, { packed: true });
  const padded = c.struct('padded', [
    ['a', 'u8'], ['b', { type: 'u64', aligned: 64 }], ['c', 'u16'], ['w', wire],
    [null, c.union(null, { x: 'u32', y: 'u8[6]' })], ['tail', 'u8[]'],
  ]);
  return [mnt, net, fb, zs, pcp, bh, memcg, wire, padded];
}

/** A small seeded generator (mulberry32): the same structs on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INT_NAMES = ['char', 'signed char', 'unsigned char', 'short', 'unsigned short', 'int', 'unsigned', 'long', 'long unsigned int',
  'long long', 'unsigned long long', 'u8', 's16', 'u32', 's64', 'size_t', 'bool', 'unsigned __int128'];

function randomStructs(count: number): RecordType[] {
  const rnd = prng(0x11);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const c = ctypes();
  const made: RecordType[] = [];
  let serial = 0;
  const scalar = (): CType => (rnd() < 0.1 ? pointer(intType('int')!) : intType(pick(INT_NAMES))!);
  const memberType = (depth: number): CType => {
    const r = rnd();
    if (r < 0.55 || depth > 2) return scalar();
    if (r < 0.75) return array(rnd() < 0.3 && made.length > 0 ? pick(made) : scalar(), Math.floor(rnd() * 5));
    if (r < 0.9 && made.length > 0) return pick(made);
    return anonymous(depth + 1);
  };
  const fields = (depth: number): [string | null, CType | { type: CType; aligned: number }][] => {
    const n = Math.floor(rnd() * 6);
    const out: [string | null, CType | { type: CType; aligned: number }][] = [];
    for (let i = 0; i < n; i++) {
      const t = memberType(depth);
      const name = isRecord(t) && t.tag === null && t.name.endsWith('(anonymous)') ? null : `f${serial++}`;
      out.push([name, name !== null && rnd() < 0.12 ? { type: t, aligned: pick([1, 2, 4, 8, 16, 32]) } : t]);
    }
    return out;
  };
  const anonymous = (depth: number): RecordType => {
    const opts = { aligned: rnd() < 0.15 ? pick([4, 16, 32]) : undefined, packed: rnd() < 0.1 ? true : undefined };
    return rnd() < 0.5 ? c.struct(null, fields(depth), opts) : c.union(null, fields(depth), opts);
  };
  for (let i = 0; i < count; i++) {
    const opts = { packed: rnd() < 0.15 ? true : undefined, aligned: rnd() < 0.1 ? pick([2, 8, 64]) : undefined };
    const members = fields(0);
    if (rnd() < 0.1 && members.length > 0) members.push([`flex${i}`, array(scalar(), null)]);
    made.push(rnd() < 0.8 ? c.struct(`r${i}`, members, opts) : c.union(`r${i}`, members.filter(([, t]) => !('kind' in t && t.kind === 'array' && t.length === null)), opts));
  }
  return made;
}

describe.skipIf(!GCC)(`layout matches gcc${GCC ? '' : ' (skipped: gcc is not installed)'}`, () => {
  for (const preemptRT of [false, true]) {
    it(`kernel types and kernel-shaped per-CPU structs, PREEMPT_RT ${preemptRT ? 'on' : 'off'}`, () => {
      const c = ctypes({ preemptRT });
      const types = [...KERNEL_TYPES.map((n) => c.parse(n)), ...kernelShaped(c)];
      const gcc = gccLines('#include "kernel-shaped.h"', types, preemptRT ? ['-DCONFIG_PREEMPT_RT'] : []);
      expect(engineLines(types)).toEqual(gcc);
      expect(gcc.length).toBeGreaterThan(200);
    });
  }

  it('300 seeded random structs and unions (nesting, arrays, anonymous members, packed, aligned, flexible arrays)', () => {
    const types = randomStructs(300);
    const defs = new Set<string>();
    for (const t of types) for (const r of definitionOrder(t)) defs.add(cDefinition(r));
    const prelude = `#include "kernel-types.h"\n${[...defs].join('\n')}`;
    const gcc = gccLines(prelude, types);
    expect(engineLines(types)).toEqual(gcc);
    expect(types.filter((t) => t.packed === true).length).toBeGreaterThan(10);
  });
});
