/**
 * What the C functions and objects the shipped headers declare are bound to in
 * the runtime (src/): the TypeScript each call becomes, and the module that
 * provides it. The header gives the C prototype (so arguments are converted
 * and checked as a C compiler would); the binding gives the TypeScript, where
 * `$0`, `$1`, … are the converted arguments in the representation of the
 * parameter's C type (number up to 32 bits, bigint for 64; an address for a
 * pointer to ordinary memory, a PerCpuPtr for a `__percpu` one), and `$S1` is
 * the C spelling of what argument 1 points to (`fbc->count` for `&fbc->count`),
 * for traces. A binding that needs more than the arguments' text is a function
 * of the call's parts (CallParts): the atomics make a typed pointer at the
 * address the C passes, each call site with its own kptr_site(), and
 * try_cmpxchg's old value is an out parameter passed as a box `{ value }`.
 *
 * The calls of the first table act on the running context (preempt_count,
 * the interrupt flag) or on machine constants, which no other CPU touches:
 * they are no steps. Those with a `stepped` form touch shared memory (an
 * atomic, a lock word): in the stepped flavour they are `yield*` of the
 * runtime's stepped op (`yield*` is written in the binding), one step each,
 * or a blocking step for a lock.
 */

/** What a binding written as a function builds its call from, as the translator gives it for one call. */
export interface CallParts {
  /** Argument k in its parameter's representation (the box, for an out parameter). */
  arg(k: number): string;
  /** The C spelling of what argument k points to, as a string literal. */
  pointee(k: number): string;
  /**
   * A typed pointer of C type `type` at the address argument k holds, made by a kptr_site() of
   * this call site's own (src/kptr.ts); `fn` and `write` are what KASAN names if the address is
   * in a freed object.
   */
  kptr(k: number, type: string, fn: string, write: boolean): string;
}

export interface Binding {
  /** The TypeScript of a call: `$n` is argument n, `$Sn` what it points to; or a function of the call's parts. */
  readonly ts: string | ((c: CallParts) => string);
  /** Imports it needs: [repo-relative module without extension, exported name]. */
  readonly imports: readonly (readonly [string, string])[];
  /** The arguments that are out parameters, passed as a box `{ value }` the callee writes (`&old`). */
  readonly boxes?: readonly number[];
  /** The stepped flavour's call (a generator, called with yield*), when it differs. */
  readonly stepped?: { readonly ts: string | ((c: CallParts) => string); readonly imports: readonly (readonly [string, string])[] };
}

const PREEMPT = 'src/kernel/preempt';
const SMP = 'src/kernel/smp';
const IRQFLAGS = 'src/kernel/irqflags';

const CONTEXT: Readonly<Record<string, Binding>> = {
  preempt_disable: { ts: 'preempt_disable(m)', imports: [[PREEMPT, 'preempt_disable']] },
  preempt_enable: { ts: 'preempt_enable(m)', imports: [[PREEMPT, 'preempt_enable']] },
  preempt_count: { ts: 'preempt_count(m)', imports: [[PREEMPT, 'preempt_count']] },
  preemptible: { ts: '(preemptible(m) ? 1 : 0)', imports: [[PREEMPT, 'preemptible']] },
  irqs_disabled: { ts: '(irqs_disabled(m) ? 1 : 0)', imports: [[PREEMPT, 'irqs_disabled']] },
  local_irq_disable: { ts: 'local_irq_disable(m)', imports: [[PREEMPT, 'local_irq_disable']] },
  local_irq_enable: { ts: 'local_irq_enable(m)', imports: [[PREEMPT, 'local_irq_enable']] },
  // The kernel's flags are unsigned long: the u64 view of the runtime's, without a conversion per call.
  arch_local_irq_save: { ts: 'arch_local_irq_save(m)', imports: [[IRQFLAGS, 'arch_local_irq_save']] },
  arch_local_irq_restore: { ts: 'arch_local_irq_restore(m, $0)', imports: [[IRQFLAGS, 'arch_local_irq_restore']] },
  in_nmi: { ts: '(in_nmi(m) ? 1 : 0)', imports: [[PREEMPT, 'in_nmi']] },
  in_hardirq: { ts: '(in_hardirq(m) ? 1 : 0)', imports: [[PREEMPT, 'in_hardirq']] },
  in_serving_softirq: { ts: '(in_serving_softirq(m) ? 1 : 0)', imports: [[PREEMPT, 'in_serving_softirq']] },
  in_softirq: { ts: '(in_softirq(m) ? 1 : 0)', imports: [[PREEMPT, 'in_softirq']] },
  in_interrupt: { ts: '(in_interrupt(m) ? 1 : 0)', imports: [[PREEMPT, 'in_interrupt']] },
  in_task: { ts: '(in_task(m) ? 1 : 0)', imports: [[PREEMPT, 'in_task']] },
  in_atomic: { ts: '(in_atomic(m) ? 1 : 0)', imports: [[PREEMPT, 'in_atomic']] },
  migrate_disable: { ts: 'migrate_disable(m)', imports: [['src/kernel/sched', 'migrate_disable']] },
  migrate_enable: { ts: 'migrate_enable(m)', imports: [['src/kernel/sched', 'migrate_enable']] },
  local_bh_disable: { ts: 'local_bh_disable(m)', imports: [['src/kernel/softirq', 'local_bh_disable']] },
  local_bh_enable: { ts: 'local_bh_enable(m)', imports: [['src/kernel/softirq', 'local_bh_enable']] },
  smp_processor_id: { ts: 'smp_processor_id(m)', imports: [[SMP, 'smp_processor_id']] },
  raw_smp_processor_id: { ts: 'raw_smp_processor_id(m)', imports: [[SMP, 'raw_smp_processor_id']] },
  get_cpu: { ts: 'get_cpu(m)', imports: [[SMP, 'get_cpu']] },
  put_cpu: { ts: 'put_cpu(m)', imports: [[SMP, 'put_cpu']] },
  num_online_cpus: { ts: 'num_online_cpus(m)', imports: [[SMP, 'num_online_cpus']] },
  num_possible_cpus: { ts: 'num_possible_cpus(m)', imports: [[SMP, 'num_possible_cpus']] },
  cpu_online: { ts: '(m.online.test($0) ? 1 : 0)', imports: [] },
  cpumask_next: { ts: 'cpumask_next($0, $1)', imports: [['src/lib/find-bit', 'cpumask_next']] },
  __this_cpu_preempt_check: { ts: '(m.debugPreempt ? __this_cpu_preempt_check(m, $0) : undefined)', imports: [['src/debug', '__this_cpu_preempt_check']] },
  __percpu_sim_bug: { ts: 'BUG(m, $0, $1)', imports: [['src/lib/bug', 'BUG']] },
  __cant_sleep: { ts: '__cant_sleep(m, warnings, $0, $1, $2)', imports: [['src/lib/bug', '__cant_sleep']] },
  __percpu_sim_warn: { ts: 'WARN(m, warnings, $0, $1, $2)', imports: [['src/lib/bug', 'WARN']] },
};

/** A binding whose runtime call returns a boolean, as C's int 0 or 1 in both flavours. */
function cBool(b: Binding): Binding {
  return { ...b, ts: `(${b.ts} ? 1 : 0)`, stepped: { ...b.stepped!, ts: `(${b.stepped!.ts} ? 1 : 0)` } };
}

const ATOMIC = 'generated/atomic';
const STEPPED = 'src/stepped';

/** A call of the runtime with a fast form in `fast` and a stepped form exported by src/stepped.ts under the same name. */
function both(name: string, args: string, fast: string, rt = name): Binding {
  const ts = `${rt}(m${args === '' ? '' : `, ${args}`})`;
  return { ts, imports: [[fast, rt]], stepped: { ts: `(yield* ${ts})`, imports: [[STEPPED, rt]] } };
}

/**
 * The atomic_t, atomic64_t and atomic_long_t families (include/linux/atomic/
 * atomic-instrumented.h, atomic-long.h): the runtime's ops, which take a
 * typed pointer; the C passes an address, so the call makes one at it with
 * a kptr_site() of its own, which keeps the pointer while the address stays
 * the same (CallParts.kptr).
 */
function atomics(): Record<string, Binding> {
  const out: Record<string, Binding> = {};
  const fams: [string, string][] = [['atomic', 'atomic_t'], ['atomic64', 'atomic64_t'], ['atomic_long', 'atomic_long_t']];
  // Parameter order as the kernel's: (i, v) for arithmetic, (v, …) for the rest.
  const iv = ['add', 'sub', 'and', 'or', 'xor', 'andnot', 'add_return', 'sub_return', 'fetch_add', 'fetch_sub', 'fetch_and', 'fetch_or', 'fetch_xor', 'fetch_andnot', 'sub_and_test', 'add_negative'];
  const v = ['read', 'read_acquire', 'inc', 'dec', 'inc_return', 'dec_return', 'fetch_inc', 'fetch_dec', 'dec_and_test', 'inc_and_test', 'inc_not_zero', 'inc_unless_negative', 'dec_unless_positive', 'dec_if_positive'];
  const vx = ['set', 'set_release', 'xchg'];
  const vxy = ['cmpxchg', 'add_unless', 'fetch_add_unless'];
  const ordered = ['add_return', 'sub_return', 'inc_return', 'dec_return', 'fetch_add', 'fetch_sub', 'fetch_inc', 'fetch_dec', 'fetch_and', 'fetch_or', 'fetch_xor', 'fetch_andnot', 'add_negative', 'xchg', 'cmpxchg', 'try_cmpxchg'];
  const boolRet = new Set(['sub_and_test', 'dec_and_test', 'inc_and_test', 'add_negative', 'inc_not_zero', 'inc_unless_negative', 'dec_unless_positive', 'add_unless', 'try_cmpxchg']);
  for (const [f, t] of fams) {
    // Argument `at` is the atomic's address; the pointer's maker is told the function and whether it
    // writes, which KASAN's report of a freed object names.
    const add = (op: string, at: number, arity: number, boxes?: readonly number[]): void => {
      for (const sfx of ordered.includes(op) ? ['', '_acquire', '_release', '_relaxed'] : ['']) {
        const name = `${f}_${op}${sfx}`;
        const write = op !== 'read' && op !== 'read_acquire';
        const call = (stepped: boolean) => (c: CallParts): string => {
          const args = Array.from({ length: arity }, (_, k) => (k === at ? c.kptr(k, t, name, write) : c.arg(k)));
          const x = stepped ? `(yield* ${name}(m, ${args.join(', ')}))` : `${name}(m, ${args.join(', ')})`;
          return boolRet.has(op) ? `(${x} ? 1 : 0)` : x;
        };
        out[name] = { ts: call(false), imports: [[ATOMIC, name]], ...(boxes ? { boxes } : {}), stepped: { ts: call(true), imports: [[STEPPED, name]] } };
      }
    };
    for (const op of iv) add(op, 1, 2);
    for (const op of v) add(op, 0, 1);
    for (const op of vx) add(op, 0, 2);
    for (const op of vxy) add(op, 0, 3);
    add('try_cmpxchg', 0, 3, [1]);
  }
  return out;
}

const SPIN = 'src/kernel/locking/spinlock';
const LOCAL = 'src/kernel/locking/local-lock';
const U64 = 'src/lib/u64-stats-sync';

/**
 * The runtime's flags are a number, C's are unsigned long (a bigint): the
 * conversions of src/kernel/irqflags.ts, which make no bigint per call.
 */
function savesFlags(b: Binding): Binding {
  const to = [IRQFLAGS, 'irqflags_to_u64'] as const;
  return { ts: `irqflags_to_u64(${b.ts})`, imports: [...b.imports, to], stepped: { ts: `irqflags_to_u64(${b.stepped!.ts})`, imports: [...b.stepped!.imports, to] } };
}
function restoresFlags(b: Binding): Binding {
  const from = [IRQFLAGS, 'irqflags_from_u64'] as const;
  return { ...b, imports: [...b.imports, from], stepped: { ...b.stepped!, imports: [...b.stepped!.imports, from] } };
}

/**
 * Locks (include/linux/spinlock.h, local_lock.h), u64_stats_sync
 * (include/linux/u64_stats_sync.h) and the per-CPU allocator: the runtime's
 * calls.
 */
function kernelCalls(): Record<string, Binding> {
  const out: Record<string, Binding> = {};
  for (const n of ['spin_lock', 'spin_unlock', 'spin_lock_irq', 'spin_unlock_irq', 'spin_lock_bh', 'spin_unlock_bh',
    'raw_spin_lock', 'raw_spin_unlock', 'raw_spin_lock_irq', 'raw_spin_unlock_irq']) out[n] = both(n, '$0', SPIN);
  for (const n of ['spin_trylock', 'raw_spin_trylock']) out[n] = cBool(both(n, '$0', SPIN));
  for (const n of ['spin_lock_irqsave', 'raw_spin_lock_irqsave']) out[`_${n}`] = savesFlags(both(n, '$0', SPIN));
  for (const n of ['spin_unlock_irqrestore', 'raw_spin_unlock_irqrestore']) out[n] = restoresFlags(both(n, '$0, irqflags_from_u64($1)', SPIN));
  out.spin_lock_init = { ts: 'spin_lock_init(m, $0)', imports: [[SPIN, 'spin_lock_init']] };
  out.raw_spin_lock_init = { ts: 'raw_spin_lock_init(m, $0)', imports: [[SPIN, 'raw_spin_lock_init']] };
  for (const n of ['local_lock', 'local_unlock', 'local_lock_irq', 'local_unlock_irq']) out[n] = both(n, '$0', LOCAL);
  out.local_trylock = cBool(both('local_trylock', '$0', LOCAL));
  out._local_lock_irqsave = savesFlags(both('local_lock_irqsave', '$0', LOCAL));
  out.local_unlock_irqrestore = restoresFlags(both('local_unlock_irqrestore', '$0, irqflags_from_u64($1)', LOCAL));
  out.local_lock_init = { ts: 'local_lock_init(m, $0)', imports: [[LOCAL, 'local_lock_init']] };
  out.local_trylock_init = { ts: 'local_trylock_init(m, $0)', imports: [[LOCAL, 'local_trylock_init']] };
  for (const n of ['u64_stats_update_begin', 'u64_stats_update_end']) out[n] = both(n, '$0', U64);
  out.u64_stats_fetch_begin = both('u64_stats_fetch_begin', '$0', U64);
  out.u64_stats_fetch_retry = cBool(both('u64_stats_fetch_retry', '$0, $1', U64));
  out.u64_stats_read = both('u64_stats_read', '$0', U64);
  out.u64_stats_add = both('u64_stats_add', '$0, $1', U64);
  out.u64_stats_inc = both('u64_stats_inc', '$0', U64);
  out.u64_stats_set = { ts: 'u64_stats_set(m, $0, $1)', imports: [[U64, 'u64_stats_set']] };
  out.u64_stats_init = { ts: 'u64_stats_init(m, $0)', imports: [[U64, 'u64_stats_init']] };
  out.__alloc_percpu = { ts: '(__alloc_percpu(m, Number($0), Number($1)) as PerCpuPtr<any>)', imports: [['src/mm/percpu-alloc', '__alloc_percpu']] };
  out.free_percpu = { ts: 'free_percpu(m, $0)', imports: [['src/mm/percpu-alloc', 'free_percpu']] };
  out.kmalloc = { ts: 'kmalloc_size(m, Number($0))', imports: [['src/mm/memory', 'kmalloc_size']] };
  out.kzalloc = { ts: 'kzalloc_size(m, Number($0))', imports: [['src/mm/memory', 'kzalloc_size']] };
  out.kfree = { ts: 'kfree_addr(m, $0)', imports: [['src/mm/memory', 'kfree_addr']] };
  return out;
}

const PCC = 'src/lib/percpu-counter';
const PCC_AT = 'src/lib/percpu-counter-at';
const PCC_STEPPED = 'src/lib/percpu-counter-stepped';

/**
 * The percpu_counter API of <linux/percpu_counter.h> on the runtime's
 * counter that the C object at `$0` names (src/lib/percpu-counter-at.ts):
 * the plain functions of src/lib/percpu-counter.ts (fast; the s64 forms, since
 * C's s64 is a bigint) and their stepped forms (one step per access inside
 * the call). `fast`/`step` name the runtime function, `args` what follows fbc,
 * `bool` a boolean result, which becomes C's 0 or 1.
 */
function counterCalls(): Record<string, Binding> {
  const out: Record<string, Binding> = {};
  const api = (name: string, fast: string, step: string, args = '', fastMod = PCC, bool = false): void => {
    const fbc = `percpu_counter_of(m, $0, '${name}', $S0)`;
    const rest = args === '' ? '' : `, ${args}`;
    const f = `${fast}(${fbc}${rest})`;
    const st = `(yield* ${step}(${fbc}${rest}))`;
    out[name] = {
      ts: bool ? `(${f} ? 1 : 0)` : f, imports: [[PCC_AT, 'percpu_counter_of'], [fastMod, fast]],
      stepped: { ts: bool ? `(${st} ? 1 : 0)` : st, imports: [[PCC_AT, 'percpu_counter_of'], [PCC_STEPPED, step]] },
    };
  };
  api('percpu_counter_set', 'percpu_counter_set', 'percpu_counter_set', '$1');
  api('percpu_counter_add_batch', 'percpu_counter_add_batch', 'percpu_counter_add_batch', '$1, $2');
  api('percpu_counter_add', 'percpu_counter_add', 'percpu_counter_add', '$1');
  api('percpu_counter_add_local', 'percpu_counter_add_local', 'percpu_counter_add_local', '$1');
  api('percpu_counter_sub', 'percpu_counter_sub', 'percpu_counter_sub', '$1');
  api('percpu_counter_sub_local', 'percpu_counter_sub_local', 'percpu_counter_sub_local', '$1');
  api('percpu_counter_inc', 'percpu_counter_inc', 'percpu_counter_inc');
  api('percpu_counter_dec', 'percpu_counter_dec', 'percpu_counter_dec');
  api('percpu_counter_sync', 'percpu_counter_sync', 'percpu_counter_sync');
  api('percpu_counter_read', 'percpu_counter_read_s64', 'percpu_counter_read');
  api('percpu_counter_read_positive', 'percpu_counter_read_positive_s64', 'percpu_counter_read_positive', '', PCC_AT);
  api('__percpu_counter_sum', 'percpu_counter_sum_s64', 'percpu_counter_sum');
  api('percpu_counter_sum', 'percpu_counter_sum_s64', 'percpu_counter_sum');
  api('percpu_counter_sum_positive', 'percpu_counter_sum_positive_s64', 'percpu_counter_sum_positive', '', PCC_AT);
  api('__percpu_counter_compare', '__percpu_counter_compare', '__percpu_counter_compare', '$1, $2');
  api('percpu_counter_compare', 'percpu_counter_compare', 'percpu_counter_compare', '$1');
  api('__percpu_counter_limited_add', '__percpu_counter_limited_add', '__percpu_counter_limited_add', '$1, $2, $3', PCC, true);
  api('percpu_counter_limited_add', 'percpu_counter_limited_add', 'percpu_counter_limited_add', '$1, $2', PCC, true);
  // Not steps: an allocation and a free, from the file's PERCPU_INIT or a task.
  out.percpu_counter_init = { ts: 'percpu_counter_init_at(m, $0, $S0, $1)', imports: [[PCC_AT, 'percpu_counter_init_at']] };
  out.percpu_counter_destroy = { ts: 'percpu_counter_destroy_at(m, $0)', imports: [[PCC_AT, 'percpu_counter_destroy_at']] };
  out.percpu_counter_initialized = { ts: '(percpu_counter_initialized_at(m, $0) ? 1 : 0)', imports: [[PCC_AT, 'percpu_counter_initialized_at']] };
  return out;
}

/** Every binding, by C name. */
export const FUNCTIONS: Readonly<Record<string, Binding>> = { ...CONTEXT, ...atomics(), ...kernelCalls(), ...counterCalls() };

/** Objects the headers declare extern, and what they are on the machine: the TypeScript of the object and its imports. */
export const OBJECTS: Readonly<Record<string, { readonly ts: string; readonly imports: Binding['imports'] }>> = {
  cpu_possible_mask: { ts: 'm.possible', imports: [] },
  cpu_online_mask: { ts: 'm.online', imports: [] },
  nr_cpu_ids: { ts: 'm.nrCpus', imports: [] },
  percpu_counter_batch: { ts: 'percpu_counter_batch(m)', imports: [[PCC, 'percpu_counter_batch']] },
};
