// SPDX-License-Identifier: GPL-2.0
/**
 * The per-CPU writer count of a mount, from fs/namespace.c (Linux v6.16):
 * mnt_inc_writers(), mnt_dec_writers(), mnt_get_writers(), __mnt_want_write(),
 * __mnt_drop_write(), mnt_hold_writers(), mnt_unhold_writers() and
 * mnt_make_readonly(), with struct mnt_pcp from fs/mount.h. The kernel code is
 * written line for line below its C, which stands beside it in comments.
 *
 * `struct mount` keeps its per-CPU counters behind a pointer
 * (`mnt->mnt_pcp`, alloc_percpu(struct mnt_pcp)). A writer counts itself on
 * its own CPU with this_cpu_inc() and then waits while MNT_WRITE_HOLD is set;
 * making the mount read-only sets MNT_WRITE_HOLD first, then sums every CPU's
 * count: a writer it cannot see has not yet passed the MNT_WRITE_HOLD check, so
 * it will see MNT_READONLY and back out. The sum may mix a +1 on one CPU with
 * the -1 of the same writer on another (it migrated in between): the unsigned
 * sum still comes out right.
 *
 * Left out: the superblock checks of mnt_is_readonly() (s_readonly_remount,
 * sb_rdonly()), mount_lock (one task remounts here) and PREEMPT_RT's variant
 * of the MNT_WRITE_HOLD loop. `while (READ_ONCE(...) & MNT_WRITE_HOLD)
 * cpu_relax();` is written as smp_cond_load_relaxed(): the spin iterations
 * that see the flag set change nothing, so one step — the load that sees it
 * clear — stands for the loop.
 *
 * Scenarios (2 CPUs; W writes on cpu0, R remounts read-only on cpu1):
 *   mnt-writers                the kernel's code: no writer is ever inside a read-only mount
 *   mnt-writers-no-write-hold  mnt_make_readonly() without MNT_WRITE_HOLD: caught
 *
 *   npx percpu-sim explore examples/kernel/mnt_writers.ts mnt-writers-no-write-hold
 */
import {
  Machine, READ_ONCE, alloc_percpu, ghost, kzalloc, kptr_member, pcpu_member, per_cpu_kptr, preempt_disable, preempt_enable,
  smp_mb, smp_rmb, smp_wmb, stepped, type KPtr, type PerCpuPtr, type Scenario, type StepGen,
} from '../../src/index.js';

const { this_cpu_inc, this_cpu_dec, load, store, smp_cond_load_relaxed } = stepped;

// ---------------------------------------------------------------- kernel code

const MNT_READONLY = 0x40; //                                 #define MNT_READONLY    0x40   (include/linux/mount.h)
const MNT_WRITE_HOLD = 0x200; //                              #define MNT_WRITE_HOLD  0x200
const EROFS = 30;
const EBUSY = 16;

/** struct mount (fs/mount.h), the members this code uses. */
interface Mount {
  mnt_pcp: PerCpuPtr; //                                      struct mnt_pcp __percpu *mnt_pcp;
  mnt: KPtr; //                                               struct vfsmount mnt;
}

function* mnt_inc_writers(m: Machine, mnt: Mount): StepGen { //  static inline void mnt_inc_writers(struct mount *mnt)
  yield* this_cpu_inc(m, pcpu_member(m, mnt.mnt_pcp, 'mnt_writers', 'int')); //  this_cpu_inc(mnt->mnt_pcp->mnt_writers);
}

function* mnt_dec_writers(m: Machine, mnt: Mount): StepGen { //  static inline void mnt_dec_writers(struct mount *mnt)
  yield* this_cpu_dec(m, pcpu_member(m, mnt.mnt_pcp, 'mnt_writers', 'int')); //  this_cpu_dec(mnt->mnt_pcp->mnt_writers);
}

function* mnt_get_writers(m: Machine, mnt: Mount): StepGen<number> { //  static unsigned int mnt_get_writers(struct mount *mnt)
  let count = 0; //                                                     unsigned int count = 0;
  for (const cpu of m.possible) { //                                    for_each_possible_cpu(cpu) {
    count += yield* load(m, kptr_member(m, per_cpu_kptr(m, mnt.mnt_pcp, cpu), 'mnt_writers', 'int')); //  count += per_cpu_ptr(mnt->mnt_pcp, cpu)->mnt_writers;
  }
  return count >>> 0; //                                                return count;
}

function* mnt_is_readonly(m: Machine, mnt: Mount): StepGen<boolean> { //  static int mnt_is_readonly(struct vfsmount *mnt)
  return ((yield* load(m, kptr_member(m, mnt.mnt, 'mnt_flags', 'int'))) & MNT_READONLY) !== 0; //  return __mnt_is_readonly(mnt);  (mnt->mnt_flags & MNT_READONLY)
}

export function* __mnt_want_write(m: Machine, mnt: Mount): StepGen<number> { //  int __mnt_want_write(struct vfsmount *m)
  let ret = 0; //                                                       int ret = 0;
  preempt_disable(m); //                                                preempt_disable();
  yield* mnt_inc_writers(m, mnt); //                                    mnt_inc_writers(mnt);
  smp_mb(); //                                                          smp_mb();
  yield* smp_cond_load_relaxed(m, kptr_member(m, mnt.mnt, 'mnt_flags', 'int'), (v) => !(v & MNT_WRITE_HOLD)); //  while (READ_ONCE(mnt->mnt.mnt_flags) & MNT_WRITE_HOLD) cpu_relax();
  smp_rmb(); //                                                         smp_rmb();
  if (yield* mnt_is_readonly(m, mnt)) { //                              if (mnt_is_readonly(m)) {
    yield* mnt_dec_writers(m, mnt); //                                      mnt_dec_writers(mnt);
    ret = -EROFS; //                                                        ret = -EROFS;
  } //                                                                  }
  preempt_enable(m); //                                                 preempt_enable();
  return ret; //                                                        return ret;
}

export function* __mnt_drop_write(m: Machine, mnt: Mount): StepGen { //  void __mnt_drop_write(struct vfsmount *mnt)
  preempt_disable(m); //                                                preempt_disable();
  yield* mnt_dec_writers(m, mnt); //                                    mnt_dec_writers(real_mount(mnt));
  preempt_enable(m); //                                                 preempt_enable();
}

function* mnt_hold_writers(m: Machine, mnt: Mount): StepGen<number> { //  static inline int mnt_hold_writers(struct mount *mnt)
  const flags = kptr_member(m, mnt.mnt, 'mnt_flags', 'int');
  yield* store(m, flags, (yield* load(m, flags)) | MNT_WRITE_HOLD); //  mnt->mnt.mnt_flags |= MNT_WRITE_HOLD;
  smp_mb(); //                                                          smp_mb();
  if ((yield* mnt_get_writers(m, mnt)) > 0) return -EBUSY; //          if (mnt_get_writers(mnt) > 0) return -EBUSY;
  return 0; //                                                          return 0;
}

function* mnt_unhold_writers(m: Machine, mnt: Mount): StepGen { //  static inline void mnt_unhold_writers(struct mount *mnt)
  const flags = kptr_member(m, mnt.mnt, 'mnt_flags', 'int');
  smp_wmb(); //                                                         smp_wmb();
  yield* store(m, flags, (yield* load(m, flags)) & ~MNT_WRITE_HOLD); // mnt->mnt.mnt_flags &= ~MNT_WRITE_HOLD;
}

export function* mnt_make_readonly(m: Machine, mnt: Mount): StepGen<number> { //  static int mnt_make_readonly(struct mount *mnt)
  const flags = kptr_member(m, mnt.mnt, 'mnt_flags', 'int');
  const ret = yield* mnt_hold_writers(m, mnt); //                       ret = mnt_hold_writers(mnt);
  if (!ret) yield* store(m, flags, (yield* load(m, flags)) | MNT_READONLY); //  if (!ret) mnt->mnt.mnt_flags |= MNT_READONLY;
  yield* mnt_unhold_writers(m, mnt); //                                 mnt_unhold_writers(mnt);
  return ret; //                                                        return ret;
}

/** The broken variant: sum the writers and set MNT_READONLY with no MNT_WRITE_HOLD around it. */
function* mnt_make_readonly_no_hold(m: Machine, mnt: Mount): StepGen<number> {
  const flags = kptr_member(m, mnt.mnt, 'mnt_flags', 'int');
  if ((yield* mnt_get_writers(m, mnt)) > 0) return -EBUSY; //          if (mnt_get_writers(mnt) > 0) return -EBUSY;
  yield* store(m, flags, (yield* load(m, flags)) | MNT_READONLY); //    mnt->mnt.mnt_flags |= MNT_READONLY;
  return 0;
}

// ---------------------------------------------------------------- harness

function mntWriters(name: string, hold: boolean): Scenario {
  return {
    name,
    title: hold ? 'fs/namespace.c: __mnt_want_write() against mnt_make_readonly()' : 'mnt_make_readonly() without MNT_WRITE_HOLD',
    description: 'W (cpu0) takes write access to a mount with __mnt_want_write(), writes, and drops it with __mnt_drop_write(); '
      + `R (cpu1) makes the mount read-only${hold ? ' (mnt_make_readonly)' : ', summing the writers without MNT_WRITE_HOLD'}. `
      + 'Invariants: no writer is inside a read-only mount; at the end the per-CPU writer counts sum to 0.',
    expect: hold ? 'none' : 'violation',
    cpus: 2,
    bound: 1,
    build() {
      const m = new Machine({ cpus: 2 });
      m.ctypes.struct('mnt_pcp', { mnt_count: 'int', mnt_writers: 'int' });
      m.ctypes.struct('vfsmount', { mnt_flags: 'int' });
      m.boot();
      const mnt: Mount = { mnt_pcp: alloc_percpu(m, 'struct mnt_pcp', 'mnt_pcp')!, mnt: kzalloc(m, 'struct vfsmount', 'mnt')! };
      const flags = kptr_member(m, mnt.mnt, 'mnt_flags', 'int');
      const inside = ghost(m, 'writers_inside', 0);
      const readonly = (): boolean => (READ_ONCE(m, flags) & MNT_READONLY) !== 0;
      return {
        m,
        tasks: [
          {
            name: 'W', cpu: 0, pinned: true,
            *run() {
              if ((yield* __mnt_want_write(m, mnt)) !== 0) return;
              yield* inside.update((n) => n + 1);
              yield* inside.update((n) => n - 1);
              yield* __mnt_drop_write(m, mnt);
            },
          },
          { name: 'R', cpu: 1, *run() { yield* (hold ? mnt_make_readonly(m, mnt) : mnt_make_readonly_no_hold(m, mnt)); } },
        ],
        check: () => (readonly() && inside.value > 0 ? `the mount was made read-only with ${inside.value} writer inside` : null),
        final() {
          let sum = 0;
          for (const cpu of m.possible) sum += READ_ONCE(m, kptr_member(m, per_cpu_kptr(m, mnt.mnt_pcp, cpu), 'mnt_writers', 'int'));
          return sum === 0 ? null : `the writer counts sum to ${sum} after every writer dropped write access`;
        },
      };
    },
  };
}

export const mntWritersScenario = mntWriters('mnt-writers', true);
export const mntWritersNoWriteHold = mntWriters('mnt-writers-no-write-hold', false);
