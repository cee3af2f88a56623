/*
 * The per-CPU API on one CPU in userspace, for the differential test: gcc
 * compiles a C file with the same headers percpu-cc reads (c/include and the
 * generator's templates/linux/percpu-defs.h), and this file supplies what the
 * translator resolves itself. The sized ops are asm-generic's C fallbacks
 * (include/asm-generic/percpu.h raw_cpu_generic_*), the reference semantics of
 * a per-CPU op on the CPU that runs it.
 */
#include <stdio.h>
#include <stdlib.h>

#define __percpu
#define __rcu
#define __user
#define __iomem
#define __force

#define __pcpu_size_call(stem, variable, ...)				\
do {									\
	switch (sizeof(variable)) {					\
	case 1: stem##1(variable, __VA_ARGS__); break;			\
	case 2: stem##2(variable, __VA_ARGS__); break;			\
	case 4: stem##4(variable, __VA_ARGS__); break;			\
	case 8: stem##8(variable, __VA_ARGS__); break;			\
	default: abort();						\
	}								\
} while (0)

#define __pcpu_size_call_return(stem, variable)				\
({	typeof(variable) pscr_ret__;					\
	switch (sizeof(variable)) {					\
	case 1: pscr_ret__ = stem##1(variable); break;			\
	case 2: pscr_ret__ = stem##2(variable); break;			\
	case 4: pscr_ret__ = stem##4(variable); break;			\
	case 8: pscr_ret__ = stem##8(variable); break;			\
	default: abort();						\
	}								\
	pscr_ret__; })

#define __pcpu_size_call_return2(stem, variable, ...)			\
({	typeof(variable) pscr2_ret__;					\
	switch (sizeof(variable)) {					\
	case 1: pscr2_ret__ = stem##1(variable, __VA_ARGS__); break;	\
	case 2: pscr2_ret__ = stem##2(variable, __VA_ARGS__); break;	\
	case 4: pscr2_ret__ = stem##4(variable, __VA_ARGS__); break;	\
	case 8: pscr2_ret__ = stem##8(variable, __VA_ARGS__); break;	\
	default: abort();						\
	}								\
	pscr2_ret__; })

#define __pcpu_size_call_return2bool(stem, variable, ...)		\
({	_Bool pscr2_ret__;						\
	switch (sizeof(variable)) {					\
	case 1: pscr2_ret__ = stem##1(variable, __VA_ARGS__); break;	\
	case 2: pscr2_ret__ = stem##2(variable, __VA_ARGS__); break;	\
	case 4: pscr2_ret__ = stem##4(variable, __VA_ARGS__); break;	\
	case 8: pscr2_ret__ = stem##8(variable, __VA_ARGS__); break;	\
	default: abort();						\
	}								\
	pscr2_ret__; })

#define pcpu_read(pcp) ({ (pcp); })
#define pcpu_write(pcp, val) do { (pcp) = (val); } while (0)
#define pcpu_add(pcp, val) do { (pcp) += (val); } while (0)
#define pcpu_and(pcp, val) do { (pcp) &= (val); } while (0)
#define pcpu_or(pcp, val) do { (pcp) |= (val); } while (0)
#define pcpu_add_return(pcp, val) ({ (pcp) += (val); (pcp); })
#define pcpu_xchg(pcp, nval) ({ typeof(pcp) __ret = (pcp); (pcp) = (nval); __ret; })
#define pcpu_cmpxchg(pcp, oval, nval) ({ typeof(pcp) __ret = (pcp); if (__ret == (oval)) (pcp) = (nval); __ret; })

#define raw_cpu_read_1 pcpu_read
#define raw_cpu_read_2 pcpu_read
#define raw_cpu_read_4 pcpu_read
#define raw_cpu_read_8 pcpu_read
#define this_cpu_read_1 pcpu_read
#define this_cpu_read_2 pcpu_read
#define this_cpu_read_4 pcpu_read
#define this_cpu_read_8 pcpu_read
#define raw_cpu_write_1 pcpu_write
#define raw_cpu_write_2 pcpu_write
#define raw_cpu_write_4 pcpu_write
#define raw_cpu_write_8 pcpu_write
#define this_cpu_write_1 pcpu_write
#define this_cpu_write_2 pcpu_write
#define this_cpu_write_4 pcpu_write
#define this_cpu_write_8 pcpu_write
#define raw_cpu_add_1 pcpu_add
#define raw_cpu_add_2 pcpu_add
#define raw_cpu_add_4 pcpu_add
#define raw_cpu_add_8 pcpu_add
#define this_cpu_add_1 pcpu_add
#define this_cpu_add_2 pcpu_add
#define this_cpu_add_4 pcpu_add
#define this_cpu_add_8 pcpu_add
#define raw_cpu_and_1 pcpu_and
#define raw_cpu_and_2 pcpu_and
#define raw_cpu_and_4 pcpu_and
#define raw_cpu_and_8 pcpu_and
#define this_cpu_and_1 pcpu_and
#define this_cpu_and_2 pcpu_and
#define this_cpu_and_4 pcpu_and
#define this_cpu_and_8 pcpu_and
#define raw_cpu_or_1 pcpu_or
#define raw_cpu_or_2 pcpu_or
#define raw_cpu_or_4 pcpu_or
#define raw_cpu_or_8 pcpu_or
#define this_cpu_or_1 pcpu_or
#define this_cpu_or_2 pcpu_or
#define this_cpu_or_4 pcpu_or
#define this_cpu_or_8 pcpu_or
#define raw_cpu_add_return_1 pcpu_add_return
#define raw_cpu_add_return_2 pcpu_add_return
#define raw_cpu_add_return_4 pcpu_add_return
#define raw_cpu_add_return_8 pcpu_add_return
#define this_cpu_add_return_1 pcpu_add_return
#define this_cpu_add_return_2 pcpu_add_return
#define this_cpu_add_return_4 pcpu_add_return
#define this_cpu_add_return_8 pcpu_add_return
#define raw_cpu_xchg_1 pcpu_xchg
#define raw_cpu_xchg_2 pcpu_xchg
#define raw_cpu_xchg_4 pcpu_xchg
#define raw_cpu_xchg_8 pcpu_xchg
#define this_cpu_xchg_1 pcpu_xchg
#define this_cpu_xchg_2 pcpu_xchg
#define this_cpu_xchg_4 pcpu_xchg
#define this_cpu_xchg_8 pcpu_xchg
#define raw_cpu_cmpxchg_1 pcpu_cmpxchg
#define raw_cpu_cmpxchg_2 pcpu_cmpxchg
#define raw_cpu_cmpxchg_4 pcpu_cmpxchg
#define raw_cpu_cmpxchg_8 pcpu_cmpxchg
#define this_cpu_cmpxchg_1 pcpu_cmpxchg
#define this_cpu_cmpxchg_2 pcpu_cmpxchg
#define this_cpu_cmpxchg_4 pcpu_cmpxchg
#define this_cpu_cmpxchg_8 pcpu_cmpxchg
/* asm-generic's raw_cpu_generic_try_cmpxchg (include/asm-generic/percpu.h): a miss assigns the value found to *ovalp. */
#define pcpu_try_cmpxchg(pcp, ovalp, nval)				\
({	typeof(pcp) __val = (pcp), ___old = *(ovalp);			\
	_Bool __ret = __val == ___old;					\
	if (__ret)							\
		(pcp) = (nval);						\
	else								\
		*(ovalp) = __val;					\
	__ret; })
#define raw_cpu_try_cmpxchg_1 pcpu_try_cmpxchg
#define raw_cpu_try_cmpxchg_2 pcpu_try_cmpxchg
#define raw_cpu_try_cmpxchg_4 pcpu_try_cmpxchg
#define raw_cpu_try_cmpxchg_8 pcpu_try_cmpxchg
#define this_cpu_try_cmpxchg_1 pcpu_try_cmpxchg
#define this_cpu_try_cmpxchg_2 pcpu_try_cmpxchg
#define this_cpu_try_cmpxchg_4 pcpu_try_cmpxchg
#define this_cpu_try_cmpxchg_8 pcpu_try_cmpxchg

/*
 * <linux/atomic.h>'s type-generic exchanges: gcc's __atomic builtins on the
 * kernel's typed locals (arch/x86/include/asm/cmpxchg.h converts old and new
 * to __typeof__(*(ptr))); a failed compare-exchange writes the value found
 * into *oldp, as raw_try_cmpxchg() does.
 */
#define __percpu_sim_xchg(op, ...) __shim_##op(__VA_ARGS__)
#define __shim_xchg(p, v) ({ __typeof__(*(p)) __new = (v); __atomic_exchange_n((p), __new, __ATOMIC_SEQ_CST); })
#define __shim_cmpxchg(p, o, n)						\
({	__typeof__(*(p)) __old = (o), __new = (n);			\
	__atomic_compare_exchange_n((p), &__old, __new, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
	__old; })
#define __shim_try_cmpxchg(p, oldp, n)					\
({	__typeof__(*(p)) *__op = (oldp), __new = (n);			\
	__atomic_compare_exchange_n((p), __op, __new, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); })
#define __shim_xchg_acquire __shim_xchg
#define __shim_xchg_release __shim_xchg
#define __shim_xchg_relaxed __shim_xchg
#define __shim_cmpxchg_acquire __shim_cmpxchg
#define __shim_cmpxchg_release __shim_cmpxchg
#define __shim_cmpxchg_relaxed __shim_cmpxchg
#define __shim_cmpxchg_local __shim_cmpxchg
#define __shim_cmpxchg64 __shim_cmpxchg
#define __shim_cmpxchg64_acquire __shim_cmpxchg
#define __shim_cmpxchg64_release __shim_cmpxchg
#define __shim_cmpxchg64_relaxed __shim_cmpxchg
#define __shim_cmpxchg64_local __shim_cmpxchg
#define __shim_try_cmpxchg_acquire __shim_try_cmpxchg
#define __shim_try_cmpxchg_release __shim_try_cmpxchg
#define __shim_try_cmpxchg_relaxed __shim_try_cmpxchg
#define __shim_try_cmpxchg_local __shim_try_cmpxchg
#define __shim_try_cmpxchg64 __shim_try_cmpxchg
#define __shim_try_cmpxchg64_acquire __shim_try_cmpxchg
#define __shim_try_cmpxchg64_release __shim_try_cmpxchg
#define __shim_try_cmpxchg64_relaxed __shim_try_cmpxchg
#define __shim_try_cmpxchg64_local __shim_try_cmpxchg

/* <linux/slab.h>: the C library's allocator. */
#define _LINUX_SLAB_H
#define ZERO_SIZE_PTR ((void *)16)
#define kmalloc(size, flags) malloc(size)
#define kzalloc(size, flags) calloc(1, (size))
#define kfree(p) free((void *)(p))

#define this_cpu_ptr(ptr) (ptr)
#define raw_cpu_ptr(ptr) (ptr)
#define per_cpu_ptr(ptr, cpu) (ptr)

/* One CPU, preemptible task context: the functions the headers declare. */
static int __preempt_count, __irqs_off;
void preempt_disable(void) { __preempt_count++; }
void preempt_enable(void) { __preempt_count--; }
int preempt_count(void) { return __preempt_count; }
int preemptible(void) { return __preempt_count == 0 && !__irqs_off; }
void local_irq_disable(void) { __irqs_off = 1; }
void local_irq_enable(void) { __irqs_off = 0; }
int irqs_disabled(void) { return __irqs_off; }
unsigned long arch_local_irq_save(void) { unsigned long f = __irqs_off ? 0 : 0x200; __irqs_off = 1; return f; }
void arch_local_irq_restore(unsigned long f) { __irqs_off = f == 0; }
int smp_processor_id(void) { return 0; }
int raw_smp_processor_id(void) { return 0; }
int get_cpu(void) { __preempt_count++; return 0; }
void put_cpu(void) { __preempt_count--; }
unsigned int nr_cpu_ids = 1;
const struct cpumask *const cpu_possible_mask = (void *)1;
const struct cpumask *const cpu_online_mask = (void *)1;
unsigned int cpumask_next(int n, const struct cpumask *m) { (void)m; return n < 0 ? 0 : 1; }
unsigned int num_online_cpus(void) { return 1; }
unsigned int num_possible_cpus(void) { return 1; }
int cpu_online(unsigned int cpu) { return cpu == 0; }
void __this_cpu_preempt_check(const char *op) { (void)op; }
void __percpu_sim_bug(const char *file, int line) { printf("BUG %s:%d\n", file, line); exit(0); }
static int __warnings;
void __percpu_sim_warn(const char *file, int line, const char *func) { (void)file; (void)line; (void)func; __warnings++; }
