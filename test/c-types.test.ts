/**
 * The C type model's API: type names as C spells them, the kernel's types per
 * configuration, struct definition rules and their refusals, member paths,
 * and the pahole-style print. The layout numbers themselves are proven
 * against gcc in c-layout.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  alignof, array, cDefinition, ctypes, enumType, formatLayout, intType, kernelScope, kernelType, layoutStruct,
  memberRef, offsetof, pointer, sizeof, type PointerType, type RecordType,
} from '../c/index.js';

describe('type names', () => {
  const c = ctypes({ preemptRT: false });

  it('integers under every spelling, LP64 sizes, char unsigned as the kernel builds', () => {
    const t = (s: string) => { const x = c.parse(s) as { name: string; size: number; signed: boolean; scalar: string }; return [x.name, x.size, x.signed, x.scalar]; };
    expect(t('long unsigned int')).toEqual(['unsigned long', 8, false, 'ulong']);
    expect(t('int long')).toEqual(['long', 8, true, 'long']);
    expect(t('unsigned')).toEqual(['unsigned int', 4, false, 'u32']);
    expect(t('signed')).toEqual(['int', 4, true, 'i32']);
    expect(t('short int')).toEqual(['short', 2, true, 'i16']);
    expect(t('long long int')).toEqual(['long long', 8, true, 'i64']);
    expect(t('char')).toEqual(['char', 1, false, 'u8']);
    expect(t('signed char')).toEqual(['signed char', 1, true, 'i8']);
    expect(t('s8')).toEqual(['s8', 1, true, 'i8']);
    expect(t('__u64')).toEqual(['__u64', 8, false, 'u64']);
    expect(t('size_t')).toEqual(['size_t', 8, false, 'ulong']);
    expect(t('ssize_t')).toEqual(['ssize_t', 8, true, 'long']);
    expect(t('uintptr_t')).toEqual(['uintptr_t', 8, false, 'ulong']);
    expect(t('const volatile u16')).toEqual(['u16', 2, false, 'u16']);
    expect(t('_Bool')).toEqual(['_Bool', 1, false, 'bool']);
    expect(t('bool')).toEqual(['bool', 1, false, 'bool']);
    expect(alignof(c.parse('unsigned __int128'))).toBe(16);
  });

  it('pointers (with __percpu), arrays, and what C refuses', () => {
    const p = c.parse('int __percpu *') as PointerType;
    expect([p.kind, p.percpu, p.to.name, p.name, p.size]).toEqual(['pointer', true, 'int', 'int __percpu *', 8]);
    expect(c.parse('struct list_head *[4]').name).toBe('struct list_head *[4]');
    expect(c.parse('struct list_head *[4]').size).toBe(32);
    expect(c.parse('s8[2][3]').size).toBe(6);
    expect((c.parse('u8 __percpu **') as PointerType).percpu).toBe(false);
    expect(((c.parse('u8 __percpu **') as PointerType).to as PointerType).percpu).toBe(true);
    expect(() => c.parse('u8 u16')).toThrow("type name 'u8 u16': 'u8 u16' is not an integer type");
    expect(() => c.parse('foo_t')).toThrow("type name 'foo_t': unknown type name 'foo_t'");
    expect(() => c.parse('int __percpu')).toThrow("type name 'int __percpu': '__percpu' must be followed by '*'");
    expect(() => c.parse('int[n]')).toThrow("type name 'int[n]': array bounds must be integer constants");
    expect(() => c.parse('enum nope')).toThrow("type name 'enum nope': enum nope is not defined (C has no incomplete enums)");
    expect(() => ctypes().parse('spinlock_t')).toThrow("type name 'spinlock_t': spinlock_t depends on the kernel configuration (PREEMPT_RT changes its size): name it in a scope made for one, ctypes({ preemptRT: false }) or ctypes({ preemptRT: true }) (a Machine has m.ctypes)");
  });

  it('enums are int-sized, unsigned unless an enumerator is negative', () => {
    const e = enumType('zone_stat_item', ['NR_FREE_PAGES', 'NR_ZONE_LRU_BASE', ['NR_BOUNCE', 9], 'NR_VM_ZONE_STAT_ITEMS']);
    expect([e.size, e.align, e.signed, e.scalar, e.enumerators.get('NR_VM_ZONE_STAT_ITEMS')]).toEqual([4, 4, false, 'u32', 10n]);
    expect(enumType(null, [['NEG', -1]]).scalar).toBe('i32');
    const s = ctypes();
    s.enum(e);
    expect(s.parse('enum zone_stat_item').size).toBe(4);
    expect(() => enumType('x', ['A', 'A'])).toThrow('enum x: redeclaration of enumerator A');
  });
});

describe('kernel types per configuration', () => {
  const size = (n: string, preemptRT: boolean) => [sizeof(kernelType(n, { preemptRT })), alignof(kernelType(n, { preemptRT }))];

  it('without PREEMPT_RT: local_lock_t and u64_stats_sync are empty, spinlock_t is the 4-byte queued lock', () => {
    expect(size('local_lock_t', false)).toEqual([0, 1]);
    expect(size('local_trylock_t', false)).toEqual([1, 1]);
    expect(size('struct u64_stats_sync', false)).toEqual([0, 1]);
    expect(size('spinlock_t', false)).toEqual([4, 4]);
    expect(size('raw_spinlock_t', false)).toEqual([4, 4]);
    expect(size('atomic_t', false)).toEqual([4, 4]);
    expect(size('atomic_long_t', false)).toEqual([8, 8]);
    expect(size('local_t', false)).toEqual([8, 8]);
    expect(size('struct list_head', false)).toEqual([16, 8]);
    expect(offsetof(kernelType('spinlock_t', { preemptRT: false }), 'rlock.raw_lock.pending')).toBe(1);
    expect(offsetof(kernelType('arch_spinlock_t'), 'tail')).toBe(2);
  });

  it('with PREEMPT_RT: spinlock_t, local_lock_t and local_trylock_t are the 32-byte rt_mutex-based lock', () => {
    for (const n of ['spinlock_t', 'local_lock_t', 'local_trylock_t']) expect(size(n, true)).toEqual([32, 8]);
    expect(kernelType('local_lock_t', { preemptRT: true })).toBe(kernelType('spinlock_t', { preemptRT: true }));
    expect(offsetof(kernelType('spinlock_t', { preemptRT: true }), 'lock.owner')).toBe(24);
    expect(size('raw_spinlock_t', true)).toEqual([4, 4]);
    expect(kernelType('atomic_long_t')).toBe(kernelType('atomic64_t'));
  });

  it('the shared kernel scopes are read-only; a bad configuration is named', () => {
    expect(() => kernelScope({ preemptRT: false }).struct('x', { a: 'int' })).toThrow('struct x: this type scope is shared and read-only; make your own with ctypes(config)');
    expect(() => kernelScope({ preemptRT: 'yes' } as never)).toThrow('kernel configuration: expected { preemptRT: boolean }, got object');
  });
});

describe('struct and union definitions', () => {
  it('self-reference through a pointer, typedefs, the pahole-style print', () => {
    const c = ctypes({ preemptRT: false });
    const node = c.struct('node', { next: 'struct node *', key: 'u32', lock: 'spinlock_t', hits: 'u16[3]' });
    expect((memberRef(node, 'next').type as PointerType).to).toBe(node);
    expect(formatLayout(node)).toBe([
      'struct node {',
      '\tstruct node *next; /* 0 8 */',
      '\tu32 key; /* 8 4 */',
      '\tspinlock_t lock; /* 12 4 */',
      '\tu16 hits[3]; /* 16 6 */',
      '}; /* size 24, align 8 */',
    ].join('\n'));
    const t = c.struct(null, [['a', 'u8'], [null, c.union(null, { x: 'u32', y: 'u8[6]' })]], { typedef: 'pair_t', aligned: 16 });
    expect(c.parse('pair_t')).toBe(t);
    expect([t.size, t.align, offsetof(t, 'y[5]')]).toEqual([16, 16, 9]);
    expect(cDefinition(t)).toBe('typedef struct {\n\tu8 a;\n\tunion {\n\t\tu32 x;\n\t\tu8 y[6];\n\t};\n} __attribute__((aligned(16))) pair_t;');
  });

  it('refuses what gcc refuses, naming the struct and the member', () => {
    const c = ctypes();
    expect(() => c.struct('d', [['a', 'int'], [null, c.struct(null, { a: 'u8' })]])).toThrow("struct d: duplicate member 'a'");
    expect(() => c.struct('f', { data: 'u8[]', n: 'int' })).toThrow("struct f: flexible array member 'data' not at end of struct");
    expect(() => c.struct('g', { data: 'u8[]' })).toThrow("struct g: flexible array member 'data' in a struct with no named members");
    expect(() => c.struct('h', { t: 'struct task_struct' })).toThrow("struct h: member 't' has incomplete type struct task_struct");
    expect(() => c.struct('i', { a: { type: 'int', aligned: 3 } })).toThrow("struct i: member 'a': requested alignment 3 is not a positive power of 2");
    expect(() => c.struct('j', { a: 'int' }, { aligned: 0 })).toThrow('struct j: requested alignment 0 is not a positive power of 2');
    expect(() => c.struct('k', [[null, 'int']])).toThrow('struct k: an unnamed member must be an anonymous struct or union, got int');
    expect(() => c.struct('l', { a: 'floaty' })).toThrow("struct l: member 'a': type name 'floaty': unknown type name 'floaty'");
    expect(() => c.struct('m', { v: 'void' })).toThrow("struct m: member 'v' has type void, which has no size");
    c.struct('n', { a: 'int' });
    expect(() => c.struct('n', { a: 'int' })).toThrow('struct n: redefinition');
    expect(() => sizeof(c.parse('struct later'))).toThrow('sizeof: invalid application to incomplete type struct later');
    expect(() => array(c.parse('struct later2'), 2)).toThrow('array of struct later2: struct later2 is incomplete (declared, never defined)');
  });

  it('a struct declared before its definition is completed in place', () => {
    const c = ctypes();
    const p = c.parse('struct late *') as PointerType;
    const late = c.struct('late', { a: 'u64', b: 'u8' });
    expect(p.to).toBe(late);
    expect((p.to as RecordType).size).toBe(16);
  });
});

describe('member paths', () => {
  const c = ctypes({ preemptRT: false });
  const zs = c.struct('zs', { vm_stat_diff: 's8[11]', stat_threshold: 's8' });
  const outer = c.struct('outer', { lock: 'spinlock_t', z: zs, zones: c.parse('s8[2]'), arr: array(zs, 3), next: 'struct outer *' });

  it('resolves ., ->, [i] and anonymous members to an offset and a type', () => {
    expect(memberRef(zs, 'vm_stat_diff[2]')).toMatchObject({ offset: 2, path: 'vm_stat_diff[2]', type: intType('s8') });
    expect(memberRef(outer, 'arr[1].stat_threshold')).toMatchObject({ offset: 4 + 12 + 2 + 12 + 11, path: 'arr[1].stat_threshold' });
    expect(memberRef(outer, '->z.vm_stat_diff[ 0x3 ]')).toMatchObject({ offset: 7, path: 'z.vm_stat_diff[3]' });
    expect(memberRef(outer, 'z->stat_threshold').offset).toBe(15);
    expect(memberRef(outer, 'lock.rlock').type.name).toBe('raw_spinlock_t');
  });

  it('names the bad part of a bad path', () => {
    expect(() => memberRef(zs, 'vm_stat_diff[11]')).toThrow("member path 'vm_stat_diff[11]' into struct zs: index 11 is past the end of 'vm_stat_diff' (s8[11])");
    expect(() => memberRef(zs, 'nope')).toThrow("member path 'nope' into struct zs: 'struct zs' has no member named 'nope'");
    expect(() => memberRef(outer, 'next->lock')).toThrow("member path 'next->lock' into struct outer: 'next' is a pointer (struct outer *); a member path stays inside one object, so load the pointer first");
    expect(() => memberRef(zs, 'stat_threshold[0]')).toThrow("member path 'stat_threshold[0]' into struct zs: subscripted value 'stat_threshold' is neither array nor pointer member of the object (s8)");
    expect(() => memberRef(zs, 'stat_threshold.x')).toThrow("member path 'stat_threshold.x' into struct zs: request for member 'x' in something not a structure or union ('stat_threshold' is s8)");
    expect(() => memberRef(zs, 'vm_stat_diff stat_threshold')).toThrow("member path 'vm_stat_diff stat_threshold' into struct zs: expected '.', '->' or '[' before 'stat_threshold'");
    expect(() => memberRef(zs, '')).toThrow('member path into struct zs: the path is empty');
    expect(() => memberRef(zs, 'stat_threshold+1')).toThrow("member path 'stat_threshold+1' into struct zs: cannot parse at '+1'");
  });

  it('free-standing layout functions work without a scope', () => {
    const s = layoutStruct('free', [{ name: 'p', type: pointer(intType('int')!, { percpu: true }) }, { name: 'b', type: intType('bool')! }]);
    expect([s.size, s.align, formatLayout(s)]).toEqual([16, 8, 'struct free {\n\tint __percpu *p; /* 0 8 */\n\tbool b; /* 8 1 */\n}; /* size 16, align 8 */']);
  });
});
