// SPDX-License-Identifier: GPL-2.0
/**
 * The per-CPU buffer-head LRU of fs/buffer.c (Linux v6.16): struct bh_lru,
 * DEFINE_PER_CPU(struct bh_lru, bh_lrus), bh_lru_lock()/bh_lru_unlock(),
 * bh_lru_install(), invalidate_bh_lru() and __invalidate_bh_lrus(), with
 * get_bh(), put_bh(), brelse() and __brelse() from
 * include/linux/buffer_head.h and fs/buffer.c. The kernel code is written
 * line for line below its C.
 *
 * invalidate_bh_lrus() empties every CPU's LRU from an IPI
 * (on_each_cpu_cond()), so on SMP bh_lru_lock() must disable interrupts; the
 * uniprocessor definition, preempt_disable(), is enough only where no IPI
 * can come. The broken variant uses it on SMP: the IPI lands between the
 * install's store of the buffer into the LRU and its get_bh(), and drops a
 * reference the LRU has not taken yet — the caller's.
 *
 * Left out: lru_cache_disabled() and cpu_is_isolated() (false here), the
 * memory barrier of put_bh() (memory is sequentially consistent here).
 *
 *   bh-lru                  bh_lru_lock() is local_irq_disable(): references always balance
 *   bh-lru-preempt-only     bh_lru_lock() is preempt_disable(): the IPI drops the caller's reference
 *
 *   npx percpu-sim explore examples/kernel/bh_lru.ts bh-lru-preempt-only
 */
import {
  DEFINE_PER_CPU, Machine, READ_ONCE, irqs_disabled, kptr_cast, kptr_member, kzalloc, local_irq_disable, local_irq_enable,
  per_cpu_kptr, preempt_disable, preempt_enable, put_cpu_var, get_cpu_var, stepped, this_cpu_kptr, atomic_set,
  type KPtr, type PerCpuPtr, type Scenario, type StepGen,
} from '../../src/index.js';

const { load, store, atomic_inc, atomic_dec, atomic_read, smp_mb__before_atomic } = stepped;

// ---------------------------------------------------------------- kernel code

const BH_LRU_SIZE = 16; //                                  #define BH_LRU_SIZE 16

function fsBuffer(m: Machine, bh_lrus: PerCpuPtr, smp: boolean) {
  const bh_lru_lock = (): void => (smp ? local_irq_disable(m) : preempt_disable(m)); //  #define bh_lru_lock() local_irq_disable()  (!CONFIG_SMP: preempt_disable())
  const bh_lru_unlock = (): void => (smp ? local_irq_enable(m) : preempt_enable(m)); //  #define bh_lru_unlock() local_irq_enable()  (!CONFIG_SMP: preempt_enable())

  function check_irqs_on(): void { //                         static inline void check_irqs_on(void)
    if (irqs_disabled(m)) throw new Error('kernel BUG at fs/buffer.c: check_irqs_on()'); //  BUG_ON(irqs_disabled());
  }

  function* get_bh(bh: KPtr): StepGen { //                    static inline void get_bh(struct buffer_head *bh)
    yield* atomic_inc(m, kptr_member(m, bh, 'b_count')); //    atomic_inc(&bh->b_count);
  }

  function* put_bh(bh: KPtr): StepGen { //                    static inline void put_bh(struct buffer_head *bh)
    yield* smp_mb__before_atomic(); //                         smp_mb__before_atomic();
    yield* atomic_dec(m, kptr_member(m, bh, 'b_count')); //    atomic_dec(&bh->b_count);
  }

  function* __brelse(bh: KPtr): StepGen { //                  void __brelse(struct buffer_head *bh)
    if (yield* atomic_read(m, kptr_member(m, bh, 'b_count'))) { //  if (atomic_read(&bh->b_count)) {
      yield* put_bh(bh); //                                        put_bh(bh);
      return; //                                                   return;
    } //                                                       }
    throw new Error('WARNING: VFS: brelse: Trying to free free buffer'); //  WARN(1, KERN_ERR "VFS: brelse: Trying to free free buffer\n");
  }

  function* brelse(bh: bigint): StepGen { //                  static inline void brelse(struct buffer_head *bh)
    if (bh) yield* __brelse(kptr_cast(m, bh, 'struct buffer_head')); //  if (bh) __brelse(bh);
  }

  function* bh_lru_install(bh: KPtr): StepGen { //            static void bh_lru_install(struct buffer_head *bh)
    let evictee = BigInt(bh.addr); //                          struct buffer_head *evictee = bh;
    check_irqs_on(); //                                        check_irqs_on();
    bh_lru_lock(); //                                          bh_lru_lock();
    const b = this_cpu_kptr(m, bh_lrus, 'b'); //               b = this_cpu_ptr(&bh_lrus);
    for (let i = 0; i < BH_LRU_SIZE; i++) { //                 for (i = 0; i < BH_LRU_SIZE; i++) {
      const old = (yield* load(m, kptr_member(m, b, `bhs[${i}]`))) as bigint; //  swap(evictee, b->bhs[i]);
      yield* store(m, kptr_member(m, b, `bhs[${i}]`), evictee);
      evictee = old;
      if (evictee === BigInt(bh.addr)) { //                        if (evictee == bh) {
        bh_lru_unlock(); //                                            bh_lru_unlock();
        return; //                                                     return;
      } //                                                         }
    } //                                                       }
    yield* get_bh(bh); //                                      get_bh(bh);
    bh_lru_unlock(); //                                        bh_lru_unlock();
    yield* brelse(evictee); //                                 brelse(evictee);
  }

  function* __invalidate_bh_lrus(b: KPtr): StepGen { //       static void __invalidate_bh_lrus(struct bh_lru *b)
    for (let i = 0; i < BH_LRU_SIZE; i++) { //                 for (i = 0; i < BH_LRU_SIZE; i++) {
      yield* brelse((yield* load(m, kptr_member(m, b, `bhs[${i}]`))) as bigint); //  brelse(b->bhs[i]);
      yield* store(m, kptr_member(m, b, `bhs[${i}]`), 0n); //    b->bhs[i] = NULL;
    } //                                                       }
  }

  function* invalidate_bh_lru(): StepGen { //                 static void invalidate_bh_lru(void *arg)
    get_cpu_var(m, bh_lrus); //                                struct bh_lru *b = &get_cpu_var(bh_lrus);
    yield* __invalidate_bh_lrus(this_cpu_kptr(m, bh_lrus, 'b'));  //  __invalidate_bh_lrus(b);
    put_cpu_var(m, bh_lrus); //                                put_cpu_var(bh_lrus);
  }

  return { bh_lru_install, invalidate_bh_lru };
}

// ---------------------------------------------------------------- harness

function bhLru(name: string, smp: boolean): Scenario {
  return {
    name,
    title: smp ? 'fs/buffer.c: bh_lru_install() against the invalidate_bh_lrus() IPI'
      : 'bh_lru_install() with the !SMP bh_lru_lock() (preempt_disable) on SMP',
    description: 'T (cpu0), holding a reference to buffer X, installs it in its CPU\'s LRU with bh_lru_install(); the IPI '
      + `invalidate_bh_lru (cpu0) empties that LRU. bh_lru_lock() is ${smp ? 'local_irq_disable()' : 'preempt_disable()'}. `
      + 'Invariants: X\'s b_count never drops below the caller\'s reference; at the end it is 1 + the LRU slots holding X.',
    expect: smp ? 'none' : 'violation',
    cpus: 2,
    bound: 1,
    build() {
      const m = new Machine({ cpus: 2 });
      m.ctypes.struct('buffer_head', { b_state: 'unsigned long', b_blocknr: 'u64', b_size: 'size_t', b_count: 'atomic_t' });
      m.ctypes.struct('bh_lru', { bhs: `struct buffer_head *[${BH_LRU_SIZE}]` });
      const bh_lrus = DEFINE_PER_CPU(m, 'struct bh_lru', 'bh_lrus'); //  static DEFINE_PER_CPU(struct bh_lru, bh_lrus) = {{ NULL }};
      m.boot();
      const X = kzalloc(m, 'struct buffer_head', 'bh_X')!;
      atomic_set(m, kptr_member(m, X, 'b_count'), 1); // the caller's reference (__find_get_block() took it)
      const code = fsBuffer(m, bh_lrus, smp);
      const count = (): number => READ_ONCE(m, kptr_member(m, X, 'b_count.counter', 'int'));
      return {
        m,
        tasks: [{ name: 'T', cpu: 0, run: () => code.bh_lru_install(X) }],
        irqs: [{ name: 'invalidate_bh_lru', cpus: [0], run: () => code.invalidate_bh_lru() }],
        check: () => (count() < 1 ? `bh_X's b_count is ${count()} while its caller still holds its reference` : null),
        final() {
          let slots = 0;
          for (const cpu of m.possible) {
            for (let i = 0; i < BH_LRU_SIZE; i++) if (READ_ONCE(m, kptr_member(m, per_cpu_kptr(m, bh_lrus, cpu), `bhs[${i}]`)) === BigInt(X.addr)) slots++;
          }
          return count() === 1 + slots ? null : `bh_X's b_count is ${count()}, but the caller and ${slots} LRU slot${slots === 1 ? '' : 's'} hold it`;
        },
      };
    },
  };
}

export const bhLruScenario = bhLru('bh-lru', true);
export const bhLruPreemptOnly = bhLru('bh-lru-preempt-only', false);
