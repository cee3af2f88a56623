/**
 * The kernel's data types as the kernel defines them, for the configuration
 * percpu-ts models: 64-bit (CONFIG_64BIT), SMP, little-endian, NR_CPUS below
 * 16K, no lockdep (CONFIG_DEBUG_LOCK_ALLOC off) and no CONFIG_DEBUG_SPINLOCK,
 * with or without CONFIG_PREEMPT_RT. Definitions follow Linux v6.16:
 *
 *  - atomic_t, atomic64_t: include/linux/types.h; atomic_long_t is atomic64_t
 *    on 64-bit (include/linux/atomic/atomic-long.h);
 *  - local_t: arch/x86/include/asm/local.h and include/asm-generic/local.h
 *    (arm64), both `struct { atomic_long_t a; }`; local64_t: include/asm-generic/local64.h,
 *    `struct { local_t a; }` when BITS_PER_LONG is 64; u64_stats_t:
 *    include/linux/u64_stats_sync.h, `struct { local64_t v; }` on 64-bit;
 *  - arch_spinlock_t: the queued spinlock of include/asm-generic/qspinlock_types.h
 *    (x86-64 and arm64; the project's asm-generic machine uses the same 4 bytes);
 *  - raw_spinlock_t: include/linux/spinlock_types_raw.h (just raw_lock without
 *    the debug fields);
 *  - spinlock_t: include/linux/spinlock_types.h — a union around the raw lock
 *    without PREEMPT_RT, `struct rt_mutex_base lock` with it
 *    (include/linux/rtmutex.h: wait_lock, waiters, owner: 32 bytes);
 *  - local_lock_t, local_trylock_t: include/linux/local_lock_internal.h —
 *    empty (size 0) and `{ local_lock_t llock; u8 acquired; }` without
 *    PREEMPT_RT, both `spinlock_t` with it;
 *  - struct u64_stats_sync: include/linux/u64_stats_sync.h, empty on 64-bit;
 *  - struct list_head, hlist_head, hlist_node, callback_head (rcu_head):
 *    include/linux/types.h; rb_node, rb_root, rb_root_cached:
 *    include/linux/rbtree_types.h; seqcount_t: include/linux/seqlock_types.h;
 *    refcount_t: include/linux/refcount_types.h.
 *
 * `struct task_struct` is declared, not defined: pointers to it are fine.
 */
import { TypeScope } from './scope.js';
import { VOID, functionType, pointer, type CType } from './types.js';

/** The kernel configuration the kernel types depend on (PREEMPT_RT changes spinlock_t and local_lock_t). */
export interface KernelConfig {
  /** CONFIG_PREEMPT_RT: spinlock_t and local_lock_t become rt_mutex-based sleeping locks. */
  readonly preemptRT: boolean;
}

/** Types whose definition depends on the configuration, with what to do instead. */
const CONFIG_DEPENDENT = ['spinlock_t', 'local_lock_t', 'local_trylock_t'];

function configNote(name: string): string {
  return `${name} depends on the kernel configuration (PREEMPT_RT changes its size): ` +
    `name it in a scope made for one, ctypes({ preemptRT: false }) or ctypes({ preemptRT: true }) (a Machine has m.ctypes)`;
}

function buildBase(): TypeScope {
  const k = new TypeScope(null, new Map(CONFIG_DEPENDENT.map((n) => [n, configNote(n)])));
  k.struct(null, { counter: 'int' }, { typedef: 'atomic_t' });
  k.struct(null, { counter: 's64' }, { typedef: 'atomic64_t' });
  k.typedef('atomic_long_t', 'atomic64_t');
  k.struct(null, { a: 'atomic_long_t' }, { typedef: 'local_t' });
  k.struct(null, { a: 'local_t' }, { typedef: 'local64_t' });
  k.struct(null, { v: 'local64_t' }, { typedef: 'u64_stats_t' });
  k.struct('refcount_struct', { refs: 'atomic_t' }, { typedef: 'refcount_t' });
  k.struct('list_head', { next: 'struct list_head *', prev: 'struct list_head *' });
  k.struct('hlist_node', { next: 'struct hlist_node *', pprev: 'struct hlist_node **' });
  k.struct('hlist_head', { first: 'struct hlist_node *' });
  const cb = k.parse('struct callback_head');
  k.struct('callback_head', { next: 'struct callback_head *', func: pointer(functionType(VOID, [pointer(cb)])) }, { aligned: 8 });
  k.struct('rb_node', { __rb_parent_color: 'unsigned long', rb_right: 'struct rb_node *', rb_left: 'struct rb_node *' }, { aligned: 8 });
  k.struct('rb_root', { rb_node: 'struct rb_node *' });
  k.struct('rb_root_cached', { rb_root: 'struct rb_root', rb_leftmost: 'struct rb_node *' });
  k.struct('seqcount', { sequence: 'unsigned int' }, { typedef: 'seqcount_t' });
  k.struct('u64_stats_sync', {});
  k.struct('qspinlock', [
    [null, k.union(null, [
      ['val', 'atomic_t'],
      [null, k.struct(null, { locked: 'u8', pending: 'u8' })],
      [null, k.struct(null, { locked_pending: 'u16', tail: 'u16' })],
    ])],
  ], { typedef: 'arch_spinlock_t' });
  k.struct('raw_spinlock', { raw_lock: 'arch_spinlock_t' }, { typedef: 'raw_spinlock_t' });
  k.parse('struct task_struct');
  k.struct('rt_mutex_base', { wait_lock: 'raw_spinlock_t', waiters: 'struct rb_root_cached', owner: 'struct task_struct *' });
  return k.freeze();
}

function buildConfig(base: TypeScope, config: KernelConfig): TypeScope {
  const k = new TypeScope(base);
  if (config.preemptRT) {
    k.struct('spinlock', { lock: 'struct rt_mutex_base' }, { typedef: 'spinlock_t' });
    k.typedef('local_lock_t', 'spinlock_t');
    k.typedef('local_trylock_t', 'spinlock_t');
  } else {
    k.struct('spinlock', [[null, k.union(null, { rlock: 'struct raw_spinlock' })]], { typedef: 'spinlock_t' });
    k.struct(null, {}, { typedef: 'local_lock_t' });
    k.struct(null, { llock: 'local_lock_t', acquired: 'u8' }, { typedef: 'local_trylock_t' });
  }
  return k.freeze();
}

const BASE = buildBase();
const BY_CONFIG = [false, true].map((rt) => buildConfig(BASE, { preemptRT: rt }));

/** The shared, read-only scope of one configuration's kernel types (no configuration: only those that do not depend on it). */
export function kernelScope(config?: KernelConfig): TypeScope {
  if (config === undefined) return BASE;
  if (config === null || typeof config !== 'object' || typeof config.preemptRT !== 'boolean') {
    throw new TypeError(`kernel configuration: expected { preemptRT: boolean }, got ${config === null ? 'null' : typeof config}`);
  }
  return BY_CONFIG[config.preemptRT ? 1 : 0];
}

/**
 * A new scope for your own types, on top of the kernel's for `config`:
 * `const c = ctypes({ preemptRT: false }); const pcp = c.struct('pcp', { lock: 'spinlock_t', count: 'int' })`.
 * Without a configuration only the configuration-independent kernel types are visible.
 */
export function ctypes(config?: KernelConfig): TypeScope {
  return new TypeScope(kernelScope(config));
}

/** A kernel type by name for a configuration: `kernelType('spinlock_t', { preemptRT: true })`. */
export function kernelType(name: string, config?: KernelConfig): CType {
  return kernelScope(config).parse(name);
}
