/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/percpu.h for percpu-cc, in the shape of include/linux/percpu.h and the
 * definition half of include/linux/percpu-defs.h.
 *
 * The ops (this_cpu_add, raw_cpu_read, __this_cpu_inc_return, ...) come from
 * <linux/percpu-defs.h>, which is the op generator's own table
 * (templates/linux/percpu-defs.h): this_cpu_add(x, 1) expands there to
 * __pcpu_size_call(this_cpu_add_, x, 1), which the translator resolves with
 * sizeof(x) to the generated this_cpu_add_4 — at translation time, as the
 * kernel's switch on sizeof is resolved at compile time.
 *
 * this_cpu_ptr, raw_cpu_ptr and per_cpu_ptr are the translator's (they are
 * type-generic); everything else here is written as the kernel writes it.
 */
#ifndef __LINUX_PERCPU_H
#define __LINUX_PERCPU_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/preempt.h>
#include <linux/smp.h>
#include <linux/percpu-defs.h>

#define PER_CPU_BASE_SECTION ".data..percpu"

#define DECLARE_PER_CPU_SECTION(type, name, sec) \
	extern __attribute__((section(PER_CPU_BASE_SECTION sec))) __typeof__(type) name
#define DEFINE_PER_CPU_SECTION(type, name, sec) \
	__attribute__((section(PER_CPU_BASE_SECTION sec))) __typeof__(type) name

#define DECLARE_PER_CPU(type, name) DECLARE_PER_CPU_SECTION(type, name, "")
#define DEFINE_PER_CPU(type, name) DEFINE_PER_CPU_SECTION(type, name, "")
#define DECLARE_PER_CPU_SHARED_ALIGNED(type, name) DECLARE_PER_CPU_SECTION(type, name, "..shared_aligned")
#define DEFINE_PER_CPU_SHARED_ALIGNED(type, name) DEFINE_PER_CPU_SECTION(type, name, "..shared_aligned")
#define DECLARE_PER_CPU_ALIGNED(type, name) DECLARE_PER_CPU_SECTION(type, name, "..shared_aligned")
#define DEFINE_PER_CPU_ALIGNED(type, name) DEFINE_PER_CPU_SECTION(type, name, "..shared_aligned")
#define DECLARE_PER_CPU_PAGE_ALIGNED(type, name) DECLARE_PER_CPU_SECTION(type, name, "..page_aligned")
#define DEFINE_PER_CPU_PAGE_ALIGNED(type, name) DEFINE_PER_CPU_SECTION(type, name, "..page_aligned")
#define DECLARE_PER_CPU_READ_MOSTLY(type, name) DECLARE_PER_CPU_SECTION(type, name, "..read_mostly")
#define DEFINE_PER_CPU_READ_MOSTLY(type, name) DEFINE_PER_CPU_SECTION(type, name, "..read_mostly")
#define DEFINE_PER_CPU_CACHE_HOT(type, name) DEFINE_PER_CPU_SECTION(type, name, "..hot")

void __this_cpu_preempt_check(const char *op);

/* mm/percpu.c: dynamic per-CPU memory, zeroed on every CPU (src/mm/percpu-alloc.ts). */
void __percpu *__alloc_percpu(size_t size, size_t align);
void free_percpu(void __percpu *ptr);
#define alloc_percpu(type) \
	((typeof(type) __percpu *)__alloc_percpu(sizeof(type), __alignof__(type)))

#define per_cpu(var, cpu) (*per_cpu_ptr(&(var), cpu))

#define get_cpu_var(var)						\
(*({									\
	preempt_disable();						\
	this_cpu_ptr(&var);						\
}))

#define put_cpu_var(var)						\
do {									\
	(void)&(var);							\
	preempt_enable();						\
} while (0)

#define get_cpu_ptr(var)						\
({									\
	preempt_disable();						\
	this_cpu_ptr(var);						\
})

#define put_cpu_ptr(var)						\
do {									\
	(void)(var);							\
	preempt_enable();						\
} while (0)

#endif /* __LINUX_PERCPU_H */
