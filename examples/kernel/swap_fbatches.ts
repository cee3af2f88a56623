// SPDX-License-Identifier: GPL-2.0
/**
 * The per-CPU folio batches of mm/swap.c (Linux v6.16): struct cpu_fbatches
 * (a local_lock_t, folio batches, a second local_lock_t for the batches
 * interrupts touch), __folio_batch_add_and_move() and its macro
 * folio_batch_add_and_move(), folio_batch_add() from include/linux/pagevec.h,
 * and the two callers folio_add_lru() and folio_rotate_reclaimable(). The
 * kernel code is written line for line below its C.
 *
 * Which lock a batch takes is decided by the layout: a batch declared after
 * `lock_irq` is taken with local_lock_irqsave() (folio_rotate_reclaimable()
 * runs from writeback completion, in interrupt context), the others with
 * local_lock(). The TS computes that with offsetof() on the same layout.
 * Without PREEMPT_RT local_lock() is preempt_disable() and
 * local_lock_irqsave() local_irq_save(); with it both are this CPU's sleeping
 * spinlock, and the interrupt handler runs in a thread that may block on it.
 *
 * Reduced: folio_get()/folio refcounts, the LRU flag tests of the callers
 * (folio_test_unevictable() …), lru_cache_disabled() (false) and the
 * lruvec moves of folio_batch_move_lru(): moving a folio to its LRU is one
 * step under the lruvec's lru_lock that puts it on a list the invariant reads.
 * A large folio is moved at once; the handler's folio is large here, so that
 * path runs in interrupt context.
 *
 *   swap-fbatches                 the kernel's layout, without PREEMPT_RT
 *   swap-fbatches-rt              the same on PREEMPT_RT: no deadlock, nothing lost
 *   swap-fbatches-tail-before-lock-irq   lru_move_tail declared above lock_irq: the macro picks
 *                                        local_lock(), and lockdep reports the irq-unsafe lock
 *
 *   npx percpu-sim explore examples/kernel/swap_fbatches.ts swap-fbatches-tail-before-lock-irq
 */
import {
  Machine, READ_ONCE, ghost, global_var, kptr_member, kzalloc, local_lock_init, offsetof, pcpu_member, per_cpu_kptr,
  spin_lock_init, stepped, this_cpu_kptr, DEFINE_PER_CPU, type Ghost, type KPtr, type PerCpuPtr, type RecordType, type Scenario, type StepGen,
} from '../../src/index.js';

const { local_lock, local_unlock, local_lock_irqsave, local_unlock_irqrestore, load, store, spin_lock_irqsave, spin_unlock_irqrestore } = stepped;

// ---------------------------------------------------------------- kernel code

const PAGEVEC_SIZE = 31; //                                #define PAGEVEC_SIZE 31   (include/linux/pagevec.h)
const PG_head = 6; //                                      enum pageflags { …, PG_head, … }  (its bit here)

type MoveFn = (lruvec: KPtr, folio: KPtr) => StepGen;

/** The functions of mm/swap.c over this machine's `cpu_fbatches` and the one lruvec. */
function mmSwap(m: Machine, cpu_fbatches: PerCpuPtr, lruvec: KPtr, lru: Ghost<string>) {
  function* folio_batch_add(fbatch: KPtr, folio: KPtr): StepGen<number> { //  static inline unsigned folio_batch_add(struct folio_batch *fbatch, struct folio *folio)
    const nr = yield* load(m, kptr_member(m, fbatch, 'nr', 'unsigned char')); //  fbatch->folios[fbatch->nr++] = folio;
    yield* store(m, kptr_member(m, fbatch, `folios[${nr}]`), BigInt(folio.addr));
    yield* store(m, kptr_member(m, fbatch, 'nr', 'unsigned char'), nr + 1);
    return PAGEVEC_SIZE - (nr + 1); //                                   return folio_batch_space(fbatch);
  }

  function* folio_test_large(folio: KPtr): StepGen<boolean> { //  static inline bool folio_test_large(const struct folio *folio)
    return ((yield* load(m, kptr_member(m, folio, 'flags', 'unsigned long'))) & (1n << BigInt(PG_head))) !== 0n; //  return folio_test_head(folio);
  }

  function* folio_batch_move_lru(fbatch: KPtr, move_fn: MoveFn): StepGen { //  static void folio_batch_move_lru(struct folio_batch *fbatch, move_fn_t move_fn)
    let flags = 0; //                                                    unsigned long flags = 0;
    const nr = yield* load(m, kptr_member(m, fbatch, 'nr', 'unsigned char'));
    for (let i = 0; i < nr; i++) { //                                    for (i = 0; i < folio_batch_count(fbatch); i++) {
      const folio = yield* load(m, kptr_member(m, fbatch, `folios[${i}]`)); //  struct folio *folio = fbatch->folios[i];
      flags = yield* spin_lock_irqsave(m, kptr_member(m, lruvec, 'lru_lock')); //  folio_lruvec_relock_irqsave(folio, &lruvec, &flags);
      yield* move_fn(lruvec, FOLIOS.get(m)!.get(folio as bigint)!); //  move_fn(lruvec, folio);
      yield* spin_unlock_irqrestore(m, kptr_member(m, lruvec, 'lru_lock'), flags); //  unlock_page_lruvec_irqrestore(lruvec, flags);
    } //                                                                 }
    yield* store(m, kptr_member(m, fbatch, 'nr', 'unsigned char'), 0); // folios_put(fbatch);  (folio_batch_reinit())
  }

  function* __folio_batch_add_and_move(fbatch: PerCpuPtr, folio: KPtr, move_fn: MoveFn, disable_irq: boolean): StepGen { //  static void __folio_batch_add_and_move(struct folio_batch __percpu *fbatch, struct folio *folio, move_fn_t move_fn, bool disable_irq)
    let flags = 0; //                                                    unsigned long flags;
    if (disable_irq) flags = yield* local_lock_irqsave(m, pcpu_member(m, cpu_fbatches, 'lock_irq')); //  if (disable_irq) local_lock_irqsave(&cpu_fbatches.lock_irq, flags);
    else yield* local_lock(m, pcpu_member(m, cpu_fbatches, 'lock')); //  else local_lock(&cpu_fbatches.lock);
    if (!(yield* folio_batch_add(this_cpu_kptr(m, fbatch, 'fbatch'), folio)) || (yield* folio_test_large(folio))) { //  if (!folio_batch_add(this_cpu_ptr(fbatch), folio) || folio_test_large(folio) || lru_cache_disabled())
      yield* folio_batch_move_lru(this_cpu_kptr(m, fbatch, 'fbatch'), move_fn); //  folio_batch_move_lru(this_cpu_ptr(fbatch), move_fn);
    }
    if (disable_irq) yield* local_unlock_irqrestore(m, pcpu_member(m, cpu_fbatches, 'lock_irq'), flags); //  if (disable_irq) local_unlock_irqrestore(&cpu_fbatches.lock_irq, flags);
    else yield* local_unlock(m, pcpu_member(m, cpu_fbatches, 'lock')); //  else local_unlock(&cpu_fbatches.lock);
  }

  /** #define folio_batch_add_and_move(folio, op) */
  function folio_batch_add_and_move(folio: KPtr, op: 'lru_add' | 'lru_move_tail', move_fn: MoveFn): StepGen {
    const t = cpu_fbatches.ctype as RecordType;
    return __folio_batch_add_and_move( //                                __folio_batch_add_and_move(
      pcpu_member(m, cpu_fbatches, op), //                                   &cpu_fbatches.op,
      folio, //                                                              folio,
      move_fn, //                                                            op,
      offsetof(t, op) >= offsetof(t, 'lock_irq'), //                         offsetof(struct cpu_fbatches, op) >= offsetof(struct cpu_fbatches, lock_irq)
    ); //                                                                )
  }

  function* lru_add(_lruvec: KPtr, folio: KPtr): StepGen { //  static void lru_add(struct lruvec *lruvec, struct folio *folio)
    yield* lru.update((l) => (l === '' ? FOLIO_NAME.get(folio)! : `${l},${FOLIO_NAME.get(folio)}`)); //  lruvec_add_folio(lruvec, folio);  (the list is ghost state)
  }

  function* lru_move_tail(_lruvec: KPtr, folio: KPtr): StepGen { //  static void lru_move_tail(struct lruvec *lruvec, struct folio *folio)
    yield* lru.update((l) => (l === '' ? FOLIO_NAME.get(folio)! : `${l},${FOLIO_NAME.get(folio)}`)); //  lruvec_add_folio_tail(lruvec, folio);
  }

  return {
    folio_add_lru: (folio: KPtr): StepGen => folio_batch_add_and_move(folio, 'lru_add', lru_add), //  void folio_add_lru(struct folio *folio) { …; folio_batch_add_and_move(folio, lru_add); }
    folio_rotate_reclaimable: (folio: KPtr): StepGen => folio_batch_add_and_move(folio, 'lru_move_tail', lru_move_tail), //  void folio_rotate_reclaimable(struct folio *folio) { …; folio_batch_add_and_move(folio, lru_move_tail); }
  };
}

// ---------------------------------------------------------------- harness

/** Folios by address (a `struct folio *` read back from a batch) and by name, per machine. */
const FOLIOS = new WeakMap<Machine, Map<bigint, KPtr>>();
const FOLIO_NAME = new WeakMap<KPtr, string>();

function swapFbatches(name: string, rt: boolean, tailFirst: boolean): Scenario {
  return {
    name,
    title: tailFirst ? 'mm/swap.c with lru_move_tail declared above lock_irq: folio_rotate_reclaimable() takes the irq-unsafe lock'
      : `mm/swap.c: folio_add_lru() and folio_rotate_reclaimable() on cpu_fbatches${rt ? ', PREEMPT_RT' : ''}`,
    description: 'T (cpu0) adds folio A with folio_add_lru() and rotates folio C with folio_rotate_reclaimable(); the interrupt handler '
      + 'end_io (writeback completion, cpu0) rotates the large folio B, which goes to the LRU at once. '
      + 'Invariants: lockdep is silent; at the end every folio is exactly once in a batch or on the LRU.',
    expect: tailFirst ? 'violation' : 'none',
    cpus: 2,
    bound: 1,
    build() {
      const m = new Machine({ cpus: 2, preemptRT: rt });
      m.ctypes.struct('folio', { flags: 'unsigned long', lru: 'struct list_head' });
      m.ctypes.struct('folio_batch', { nr: 'unsigned char', i: 'unsigned char', percpu_pvec_drained: 'bool', folios: `struct folio *[${PAGEVEC_SIZE}]` });
      const batches: [string, string][] = [['lru_add', 'struct folio_batch'], ['lru_deactivate_file', 'struct folio_batch'],
        ['lru_deactivate', 'struct folio_batch'], ['lru_lazyfree', 'struct folio_batch'], ['lru_activate', 'struct folio_batch']];
      const irqPart: [string, string][] = [['lock_irq', 'local_lock_t'], ['lru_move_tail', 'struct folio_batch']];
      m.ctypes.struct('cpu_fbatches', tailFirst ? [['lock', 'local_lock_t'], ...batches, ['lru_move_tail', 'struct folio_batch'], ['lock_irq', 'local_lock_t']]
        : [['lock', 'local_lock_t'], ...batches, ...irqPart]);
      m.ctypes.struct('lruvec', { lists: 'struct list_head[5]', lru_lock: 'spinlock_t' });
      const cpu_fbatches = DEFINE_PER_CPU(m, 'struct cpu_fbatches', 'cpu_fbatches');
      const lruvec = global_var(m, 'struct lruvec', 'lruvec');
      m.boot();
      local_lock_init(m, pcpu_member(m, cpu_fbatches, 'lock'), 'cpu_fbatches.lock'); //   .lock = INIT_LOCAL_LOCK(lock),
      local_lock_init(m, pcpu_member(m, cpu_fbatches, 'lock_irq'), 'cpu_fbatches.lock_irq'); //  .lock_irq = INIT_LOCAL_LOCK(lock_irq),
      spin_lock_init(m, kptr_member(m, lruvec, 'lru_lock'), '&lruvec->lru_lock');
      const byAddr = new Map<bigint, KPtr>();
      FOLIOS.set(m, byAddr);
      const folio = (n: string, large: boolean): KPtr => {
        const f = kzalloc(m, 'struct folio', `folio_${n}`)!;
        if (large) m.store(kptr_member(m, f, 'flags').addr, 'u64', 1n << BigInt(PG_head));
        byAddr.set(BigInt(f.addr), f);
        FOLIO_NAME.set(f, n);
        return f;
      };
      const [A, B, C] = [folio('A', false), folio('B', true), folio('C', false)];
      const lru = ghost(m, 'lru', '');
      const added = ghost(m, 'added', '');
      const code = mmSwap(m, cpu_fbatches, lruvec, lru);
      function* add(f: KPtr, op: (f: KPtr) => StepGen): StepGen {
        yield* added.update((a) => (a === '' ? FOLIO_NAME.get(f)! : `${a},${FOLIO_NAME.get(f)}`));
        yield* op(f);
      }
      return {
        m,
        tasks: [{ name: 'T', cpu: 0, pinned: true, *run() { yield* add(A, code.folio_add_lru); yield* add(C, code.folio_rotate_reclaimable); } }],
        irqs: [{ name: 'end_io', cpus: [0], run: () => add(B, code.folio_rotate_reclaimable) }],
        final() {
          const count = new Map<string, number>();
          const put = (n: string): void => void count.set(n, (count.get(n) ?? 0) + 1);
          for (const n of lru.value.split(',')) if (n !== '') put(n);
          for (const cpu of m.possible) {
            for (const op of ['lru_add', 'lru_move_tail']) {
              const fb = kptr_member(m, per_cpu_kptr(m, cpu_fbatches, cpu), op);
              const nr = READ_ONCE(m, kptr_member(m, fb, 'nr', 'unsigned char'));
              for (let i = 0; i < nr; i++) put(FOLIO_NAME.get(byAddr.get(READ_ONCE(m, kptr_member(m, fb, `folios[${i}]`)) as bigint)!)!);
            }
          }
          for (const n of added.value.split(',')) {
            if (n !== '' && count.get(n) !== 1) return `folio ${n} is ${count.get(n) ?? 0} times in the batches and on the LRU (added once)`;
          }
          return null;
        },
      };
    },
  };
}

export const swapFbatchesScenario = swapFbatches('swap-fbatches', false, false);
export const swapFbatchesRT = swapFbatches('swap-fbatches-rt', true, false);
export const swapFbatchesTailBeforeLockIrq = swapFbatches('swap-fbatches-tail-before-lock-irq', false, true);
