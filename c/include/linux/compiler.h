/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/compiler.h for percpu-cc, in the shape of include/linux/compiler.h and
 * compiler_types.h. The annotations that carry no semantics in the model
 * expand to nothing; __percpu, __rcu, __user and __iomem stay as qualifiers,
 * which the translator knows (a __percpu pointer is a per-CPU pointer).
 *
 * READ_ONCE/WRITE_ONCE: the model is sequentially consistent and every access
 * to shared memory is one step already, so a marked access is the plain one.
 */
#ifndef __LINUX_COMPILER_H
#define __LINUX_COMPILER_H

#define __always_inline inline
#define noinline
#define notrace
#define __maybe_unused
#define __always_unused
#define __used
#define __cold
#define __pure
#define __must_check
#define __read_mostly
#define __ro_after_init
#define __cacheline_aligned
#define __cacheline_aligned_in_smp
#define ____cacheline_aligned
#define ____cacheline_aligned_in_smp
#define __aligned(x) __attribute__((__aligned__(x)))
#define __packed __attribute__((__packed__))
#define __init
#define __exit
#define __sched
#define __latent_entropy
#define __randomize_layout
#define fallthrough do { } while (0)

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define barrier() do { } while (0)

#define READ_ONCE(x) (x)
#define WRITE_ONCE(x, val) do { (x) = (val); } while (0)

#define __same_type(a, b) __builtin_types_compatible_p(typeof(a), typeof(b))
#define TYPEOF_UNQUAL(exp) __typeof_unqual__(exp)

#endif /* __LINUX_COMPILER_H */
