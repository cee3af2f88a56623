/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/atomic.h for percpu-cc: the atomic_t, atomic64_t and atomic_long_t
 * families with the kernel's names and argument order
 * (include/linux/atomic/atomic-instrumented.h, atomic-long.h, v6.16), and the
 * ordering variants (_acquire, _release, _relaxed), which are the same ops on
 * the sequentially consistent machine. Each is one step on shared memory
 * (src/kernel/atomic.ts); the barriers are no-ops (see docs/percpu-cc.md).
 */
#ifndef _LINUX_ATOMIC_H
#define _LINUX_ATOMIC_H

#include <linux/types.h>

#define smp_mb() do { } while (0)
#define smp_rmb() do { } while (0)
#define smp_wmb() do { } while (0)
#define smp_mb__before_atomic() do { } while (0)
#define smp_mb__after_atomic() do { } while (0)

/*
 * The type-generic exchanges of include/linux/atomic/atomic-instrumented.h
 * (v6.16) on a plain integer or pointer object: the width comes from
 * sizeof(*(ptr)) at translation time, as arch/x86/include/asm/cmpxchg.h's
 * switch on sizeof resolves it at compile time. __percpu_sim_xchg(op, ...) is
 * percpu-cc's (the generic macros cannot be written in its C subset, which has
 * no address of a local); `op` is the spelling traces show. try_cmpxchg()
 * writes the value found back through oldp and returns whether it stored, as
 * raw_try_cmpxchg() of include/linux/atomic/atomic-arch-fallback.h does.
 */
#define xchg(ptr, v) __percpu_sim_xchg(xchg, ptr, v)
#define xchg_acquire(ptr, v) __percpu_sim_xchg(xchg_acquire, ptr, v)
#define xchg_release(ptr, v) __percpu_sim_xchg(xchg_release, ptr, v)
#define xchg_relaxed(ptr, v) __percpu_sim_xchg(xchg_relaxed, ptr, v)
#define cmpxchg(ptr, o, n) __percpu_sim_xchg(cmpxchg, ptr, o, n)
#define cmpxchg_acquire(ptr, o, n) __percpu_sim_xchg(cmpxchg_acquire, ptr, o, n)
#define cmpxchg_release(ptr, o, n) __percpu_sim_xchg(cmpxchg_release, ptr, o, n)
#define cmpxchg_relaxed(ptr, o, n) __percpu_sim_xchg(cmpxchg_relaxed, ptr, o, n)
#define cmpxchg_local(ptr, o, n) __percpu_sim_xchg(cmpxchg_local, ptr, o, n)
#define cmpxchg64(ptr, o, n) __percpu_sim_xchg(cmpxchg64, ptr, o, n)
#define cmpxchg64_acquire(ptr, o, n) __percpu_sim_xchg(cmpxchg64_acquire, ptr, o, n)
#define cmpxchg64_release(ptr, o, n) __percpu_sim_xchg(cmpxchg64_release, ptr, o, n)
#define cmpxchg64_relaxed(ptr, o, n) __percpu_sim_xchg(cmpxchg64_relaxed, ptr, o, n)
#define cmpxchg64_local(ptr, o, n) __percpu_sim_xchg(cmpxchg64_local, ptr, o, n)
#define try_cmpxchg(ptr, oldp, n) __percpu_sim_xchg(try_cmpxchg, ptr, oldp, n)
#define try_cmpxchg_acquire(ptr, oldp, n) __percpu_sim_xchg(try_cmpxchg_acquire, ptr, oldp, n)
#define try_cmpxchg_release(ptr, oldp, n) __percpu_sim_xchg(try_cmpxchg_release, ptr, oldp, n)
#define try_cmpxchg_relaxed(ptr, oldp, n) __percpu_sim_xchg(try_cmpxchg_relaxed, ptr, oldp, n)
#define try_cmpxchg_local(ptr, oldp, n) __percpu_sim_xchg(try_cmpxchg_local, ptr, oldp, n)
#define try_cmpxchg64(ptr, oldp, n) __percpu_sim_xchg(try_cmpxchg64, ptr, oldp, n)
#define try_cmpxchg64_acquire(ptr, oldp, n) __percpu_sim_xchg(try_cmpxchg64_acquire, ptr, oldp, n)
#define try_cmpxchg64_release(ptr, oldp, n) __percpu_sim_xchg(try_cmpxchg64_release, ptr, oldp, n)
#define try_cmpxchg64_relaxed(ptr, oldp, n) __percpu_sim_xchg(try_cmpxchg64_relaxed, ptr, oldp, n)
#define try_cmpxchg64_local(ptr, oldp, n) __percpu_sim_xchg(try_cmpxchg64_local, ptr, oldp, n)

/* atomic_t */
void atomic_add(int i, atomic_t *v);
void atomic_sub(int i, atomic_t *v);
void atomic_and(int i, atomic_t *v);
void atomic_or(int i, atomic_t *v);
void atomic_xor(int i, atomic_t *v);
void atomic_andnot(int i, atomic_t *v);
int atomic_add_return(int i, atomic_t *v);
int atomic_add_return_acquire(int i, atomic_t *v);
int atomic_add_return_release(int i, atomic_t *v);
int atomic_add_return_relaxed(int i, atomic_t *v);
int atomic_sub_return(int i, atomic_t *v);
int atomic_sub_return_acquire(int i, atomic_t *v);
int atomic_sub_return_release(int i, atomic_t *v);
int atomic_sub_return_relaxed(int i, atomic_t *v);
int atomic_fetch_add(int i, atomic_t *v);
int atomic_fetch_add_acquire(int i, atomic_t *v);
int atomic_fetch_add_release(int i, atomic_t *v);
int atomic_fetch_add_relaxed(int i, atomic_t *v);
int atomic_fetch_sub(int i, atomic_t *v);
int atomic_fetch_sub_acquire(int i, atomic_t *v);
int atomic_fetch_sub_release(int i, atomic_t *v);
int atomic_fetch_sub_relaxed(int i, atomic_t *v);
int atomic_fetch_and(int i, atomic_t *v);
int atomic_fetch_and_acquire(int i, atomic_t *v);
int atomic_fetch_and_release(int i, atomic_t *v);
int atomic_fetch_and_relaxed(int i, atomic_t *v);
int atomic_fetch_or(int i, atomic_t *v);
int atomic_fetch_or_acquire(int i, atomic_t *v);
int atomic_fetch_or_release(int i, atomic_t *v);
int atomic_fetch_or_relaxed(int i, atomic_t *v);
int atomic_fetch_xor(int i, atomic_t *v);
int atomic_fetch_xor_acquire(int i, atomic_t *v);
int atomic_fetch_xor_release(int i, atomic_t *v);
int atomic_fetch_xor_relaxed(int i, atomic_t *v);
int atomic_fetch_andnot(int i, atomic_t *v);
int atomic_fetch_andnot_acquire(int i, atomic_t *v);
int atomic_fetch_andnot_release(int i, atomic_t *v);
int atomic_fetch_andnot_relaxed(int i, atomic_t *v);
bool atomic_sub_and_test(int i, atomic_t *v);
bool atomic_add_negative(int i, atomic_t *v);
bool atomic_add_negative_acquire(int i, atomic_t *v);
bool atomic_add_negative_release(int i, atomic_t *v);
bool atomic_add_negative_relaxed(int i, atomic_t *v);
int atomic_read(const atomic_t *v);
int atomic_read_acquire(const atomic_t *v);
void atomic_inc(atomic_t *v);
void atomic_dec(atomic_t *v);
int atomic_inc_return(atomic_t *v);
int atomic_inc_return_acquire(atomic_t *v);
int atomic_inc_return_release(atomic_t *v);
int atomic_inc_return_relaxed(atomic_t *v);
int atomic_dec_return(atomic_t *v);
int atomic_dec_return_acquire(atomic_t *v);
int atomic_dec_return_release(atomic_t *v);
int atomic_dec_return_relaxed(atomic_t *v);
int atomic_fetch_inc(atomic_t *v);
int atomic_fetch_inc_acquire(atomic_t *v);
int atomic_fetch_inc_release(atomic_t *v);
int atomic_fetch_inc_relaxed(atomic_t *v);
int atomic_fetch_dec(atomic_t *v);
int atomic_fetch_dec_acquire(atomic_t *v);
int atomic_fetch_dec_release(atomic_t *v);
int atomic_fetch_dec_relaxed(atomic_t *v);
bool atomic_dec_and_test(atomic_t *v);
bool atomic_inc_and_test(atomic_t *v);
bool atomic_inc_not_zero(atomic_t *v);
bool atomic_inc_unless_negative(atomic_t *v);
bool atomic_dec_unless_positive(atomic_t *v);
int atomic_dec_if_positive(atomic_t *v);
void atomic_set(atomic_t *v, int i);
void atomic_set_release(atomic_t *v, int i);
int atomic_xchg(atomic_t *v, int new);
int atomic_xchg_acquire(atomic_t *v, int new);
int atomic_xchg_release(atomic_t *v, int new);
int atomic_xchg_relaxed(atomic_t *v, int new);
int atomic_cmpxchg(atomic_t *v, int old, int new);
int atomic_cmpxchg_acquire(atomic_t *v, int old, int new);
int atomic_cmpxchg_release(atomic_t *v, int old, int new);
int atomic_cmpxchg_relaxed(atomic_t *v, int old, int new);
bool atomic_add_unless(atomic_t *v, int a, int u);
int atomic_fetch_add_unless(atomic_t *v, int a, int u);
bool atomic_try_cmpxchg(atomic_t *v, int *old, int new);
bool atomic_try_cmpxchg_acquire(atomic_t *v, int *old, int new);
bool atomic_try_cmpxchg_release(atomic_t *v, int *old, int new);
bool atomic_try_cmpxchg_relaxed(atomic_t *v, int *old, int new);

/* atomic64_t */
void atomic64_add(s64 i, atomic64_t *v);
void atomic64_sub(s64 i, atomic64_t *v);
void atomic64_and(s64 i, atomic64_t *v);
void atomic64_or(s64 i, atomic64_t *v);
void atomic64_xor(s64 i, atomic64_t *v);
void atomic64_andnot(s64 i, atomic64_t *v);
s64 atomic64_add_return(s64 i, atomic64_t *v);
s64 atomic64_add_return_acquire(s64 i, atomic64_t *v);
s64 atomic64_add_return_release(s64 i, atomic64_t *v);
s64 atomic64_add_return_relaxed(s64 i, atomic64_t *v);
s64 atomic64_sub_return(s64 i, atomic64_t *v);
s64 atomic64_sub_return_acquire(s64 i, atomic64_t *v);
s64 atomic64_sub_return_release(s64 i, atomic64_t *v);
s64 atomic64_sub_return_relaxed(s64 i, atomic64_t *v);
s64 atomic64_fetch_add(s64 i, atomic64_t *v);
s64 atomic64_fetch_add_acquire(s64 i, atomic64_t *v);
s64 atomic64_fetch_add_release(s64 i, atomic64_t *v);
s64 atomic64_fetch_add_relaxed(s64 i, atomic64_t *v);
s64 atomic64_fetch_sub(s64 i, atomic64_t *v);
s64 atomic64_fetch_sub_acquire(s64 i, atomic64_t *v);
s64 atomic64_fetch_sub_release(s64 i, atomic64_t *v);
s64 atomic64_fetch_sub_relaxed(s64 i, atomic64_t *v);
s64 atomic64_fetch_and(s64 i, atomic64_t *v);
s64 atomic64_fetch_and_acquire(s64 i, atomic64_t *v);
s64 atomic64_fetch_and_release(s64 i, atomic64_t *v);
s64 atomic64_fetch_and_relaxed(s64 i, atomic64_t *v);
s64 atomic64_fetch_or(s64 i, atomic64_t *v);
s64 atomic64_fetch_or_acquire(s64 i, atomic64_t *v);
s64 atomic64_fetch_or_release(s64 i, atomic64_t *v);
s64 atomic64_fetch_or_relaxed(s64 i, atomic64_t *v);
s64 atomic64_fetch_xor(s64 i, atomic64_t *v);
s64 atomic64_fetch_xor_acquire(s64 i, atomic64_t *v);
s64 atomic64_fetch_xor_release(s64 i, atomic64_t *v);
s64 atomic64_fetch_xor_relaxed(s64 i, atomic64_t *v);
s64 atomic64_fetch_andnot(s64 i, atomic64_t *v);
s64 atomic64_fetch_andnot_acquire(s64 i, atomic64_t *v);
s64 atomic64_fetch_andnot_release(s64 i, atomic64_t *v);
s64 atomic64_fetch_andnot_relaxed(s64 i, atomic64_t *v);
bool atomic64_sub_and_test(s64 i, atomic64_t *v);
bool atomic64_add_negative(s64 i, atomic64_t *v);
bool atomic64_add_negative_acquire(s64 i, atomic64_t *v);
bool atomic64_add_negative_release(s64 i, atomic64_t *v);
bool atomic64_add_negative_relaxed(s64 i, atomic64_t *v);
s64 atomic64_read(const atomic64_t *v);
s64 atomic64_read_acquire(const atomic64_t *v);
void atomic64_inc(atomic64_t *v);
void atomic64_dec(atomic64_t *v);
s64 atomic64_inc_return(atomic64_t *v);
s64 atomic64_inc_return_acquire(atomic64_t *v);
s64 atomic64_inc_return_release(atomic64_t *v);
s64 atomic64_inc_return_relaxed(atomic64_t *v);
s64 atomic64_dec_return(atomic64_t *v);
s64 atomic64_dec_return_acquire(atomic64_t *v);
s64 atomic64_dec_return_release(atomic64_t *v);
s64 atomic64_dec_return_relaxed(atomic64_t *v);
s64 atomic64_fetch_inc(atomic64_t *v);
s64 atomic64_fetch_inc_acquire(atomic64_t *v);
s64 atomic64_fetch_inc_release(atomic64_t *v);
s64 atomic64_fetch_inc_relaxed(atomic64_t *v);
s64 atomic64_fetch_dec(atomic64_t *v);
s64 atomic64_fetch_dec_acquire(atomic64_t *v);
s64 atomic64_fetch_dec_release(atomic64_t *v);
s64 atomic64_fetch_dec_relaxed(atomic64_t *v);
bool atomic64_dec_and_test(atomic64_t *v);
bool atomic64_inc_and_test(atomic64_t *v);
bool atomic64_inc_not_zero(atomic64_t *v);
bool atomic64_inc_unless_negative(atomic64_t *v);
bool atomic64_dec_unless_positive(atomic64_t *v);
s64 atomic64_dec_if_positive(atomic64_t *v);
void atomic64_set(atomic64_t *v, s64 i);
void atomic64_set_release(atomic64_t *v, s64 i);
s64 atomic64_xchg(atomic64_t *v, s64 new);
s64 atomic64_xchg_acquire(atomic64_t *v, s64 new);
s64 atomic64_xchg_release(atomic64_t *v, s64 new);
s64 atomic64_xchg_relaxed(atomic64_t *v, s64 new);
s64 atomic64_cmpxchg(atomic64_t *v, s64 old, s64 new);
s64 atomic64_cmpxchg_acquire(atomic64_t *v, s64 old, s64 new);
s64 atomic64_cmpxchg_release(atomic64_t *v, s64 old, s64 new);
s64 atomic64_cmpxchg_relaxed(atomic64_t *v, s64 old, s64 new);
bool atomic64_add_unless(atomic64_t *v, s64 a, s64 u);
s64 atomic64_fetch_add_unless(atomic64_t *v, s64 a, s64 u);
bool atomic64_try_cmpxchg(atomic64_t *v, s64 *old, s64 new);
bool atomic64_try_cmpxchg_acquire(atomic64_t *v, s64 *old, s64 new);
bool atomic64_try_cmpxchg_release(atomic64_t *v, s64 *old, s64 new);
bool atomic64_try_cmpxchg_relaxed(atomic64_t *v, s64 *old, s64 new);

/* atomic_long_t */
void atomic_long_add(long i, atomic_long_t *v);
void atomic_long_sub(long i, atomic_long_t *v);
void atomic_long_and(long i, atomic_long_t *v);
void atomic_long_or(long i, atomic_long_t *v);
void atomic_long_xor(long i, atomic_long_t *v);
void atomic_long_andnot(long i, atomic_long_t *v);
long atomic_long_add_return(long i, atomic_long_t *v);
long atomic_long_add_return_acquire(long i, atomic_long_t *v);
long atomic_long_add_return_release(long i, atomic_long_t *v);
long atomic_long_add_return_relaxed(long i, atomic_long_t *v);
long atomic_long_sub_return(long i, atomic_long_t *v);
long atomic_long_sub_return_acquire(long i, atomic_long_t *v);
long atomic_long_sub_return_release(long i, atomic_long_t *v);
long atomic_long_sub_return_relaxed(long i, atomic_long_t *v);
long atomic_long_fetch_add(long i, atomic_long_t *v);
long atomic_long_fetch_add_acquire(long i, atomic_long_t *v);
long atomic_long_fetch_add_release(long i, atomic_long_t *v);
long atomic_long_fetch_add_relaxed(long i, atomic_long_t *v);
long atomic_long_fetch_sub(long i, atomic_long_t *v);
long atomic_long_fetch_sub_acquire(long i, atomic_long_t *v);
long atomic_long_fetch_sub_release(long i, atomic_long_t *v);
long atomic_long_fetch_sub_relaxed(long i, atomic_long_t *v);
long atomic_long_fetch_and(long i, atomic_long_t *v);
long atomic_long_fetch_and_acquire(long i, atomic_long_t *v);
long atomic_long_fetch_and_release(long i, atomic_long_t *v);
long atomic_long_fetch_and_relaxed(long i, atomic_long_t *v);
long atomic_long_fetch_or(long i, atomic_long_t *v);
long atomic_long_fetch_or_acquire(long i, atomic_long_t *v);
long atomic_long_fetch_or_release(long i, atomic_long_t *v);
long atomic_long_fetch_or_relaxed(long i, atomic_long_t *v);
long atomic_long_fetch_xor(long i, atomic_long_t *v);
long atomic_long_fetch_xor_acquire(long i, atomic_long_t *v);
long atomic_long_fetch_xor_release(long i, atomic_long_t *v);
long atomic_long_fetch_xor_relaxed(long i, atomic_long_t *v);
long atomic_long_fetch_andnot(long i, atomic_long_t *v);
long atomic_long_fetch_andnot_acquire(long i, atomic_long_t *v);
long atomic_long_fetch_andnot_release(long i, atomic_long_t *v);
long atomic_long_fetch_andnot_relaxed(long i, atomic_long_t *v);
bool atomic_long_sub_and_test(long i, atomic_long_t *v);
bool atomic_long_add_negative(long i, atomic_long_t *v);
bool atomic_long_add_negative_acquire(long i, atomic_long_t *v);
bool atomic_long_add_negative_release(long i, atomic_long_t *v);
bool atomic_long_add_negative_relaxed(long i, atomic_long_t *v);
long atomic_long_read(const atomic_long_t *v);
long atomic_long_read_acquire(const atomic_long_t *v);
void atomic_long_inc(atomic_long_t *v);
void atomic_long_dec(atomic_long_t *v);
long atomic_long_inc_return(atomic_long_t *v);
long atomic_long_inc_return_acquire(atomic_long_t *v);
long atomic_long_inc_return_release(atomic_long_t *v);
long atomic_long_inc_return_relaxed(atomic_long_t *v);
long atomic_long_dec_return(atomic_long_t *v);
long atomic_long_dec_return_acquire(atomic_long_t *v);
long atomic_long_dec_return_release(atomic_long_t *v);
long atomic_long_dec_return_relaxed(atomic_long_t *v);
long atomic_long_fetch_inc(atomic_long_t *v);
long atomic_long_fetch_inc_acquire(atomic_long_t *v);
long atomic_long_fetch_inc_release(atomic_long_t *v);
long atomic_long_fetch_inc_relaxed(atomic_long_t *v);
long atomic_long_fetch_dec(atomic_long_t *v);
long atomic_long_fetch_dec_acquire(atomic_long_t *v);
long atomic_long_fetch_dec_release(atomic_long_t *v);
long atomic_long_fetch_dec_relaxed(atomic_long_t *v);
bool atomic_long_dec_and_test(atomic_long_t *v);
bool atomic_long_inc_and_test(atomic_long_t *v);
bool atomic_long_inc_not_zero(atomic_long_t *v);
bool atomic_long_inc_unless_negative(atomic_long_t *v);
bool atomic_long_dec_unless_positive(atomic_long_t *v);
long atomic_long_dec_if_positive(atomic_long_t *v);
void atomic_long_set(atomic_long_t *v, long i);
void atomic_long_set_release(atomic_long_t *v, long i);
long atomic_long_xchg(atomic_long_t *v, long new);
long atomic_long_xchg_acquire(atomic_long_t *v, long new);
long atomic_long_xchg_release(atomic_long_t *v, long new);
long atomic_long_xchg_relaxed(atomic_long_t *v, long new);
long atomic_long_cmpxchg(atomic_long_t *v, long old, long new);
long atomic_long_cmpxchg_acquire(atomic_long_t *v, long old, long new);
long atomic_long_cmpxchg_release(atomic_long_t *v, long old, long new);
long atomic_long_cmpxchg_relaxed(atomic_long_t *v, long old, long new);
bool atomic_long_add_unless(atomic_long_t *v, long a, long u);
long atomic_long_fetch_add_unless(atomic_long_t *v, long a, long u);
bool atomic_long_try_cmpxchg(atomic_long_t *v, long *old, long new);
bool atomic_long_try_cmpxchg_acquire(atomic_long_t *v, long *old, long new);
bool atomic_long_try_cmpxchg_release(atomic_long_t *v, long *old, long new);
bool atomic_long_try_cmpxchg_relaxed(atomic_long_t *v, long *old, long new);

#define ATOMIC_INIT(i) { (i) }
#define ATOMIC64_INIT(i) { (i) }
#define ATOMIC_LONG_INIT(i) ATOMIC64_INIT(i)

#endif /* _LINUX_ATOMIC_H */
