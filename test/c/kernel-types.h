/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's type definitions that c/kernel-types.ts models, written as the
 * kernel's headers define them (Linux v6.16) for CONFIG_64BIT, CONFIG_SMP,
 * little-endian, no CONFIG_DEBUG_LOCK_ALLOC and no CONFIG_DEBUG_SPINLOCK.
 * Compile with -DCONFIG_PREEMPT_RT for the RT layouts and -funsigned-char as
 * the kernel does. test/c-layout.test.ts compares gcc's layout of these with
 * the engine's.
 */
#include <stddef.h>
#include <stdbool.h>

typedef unsigned char u8;   typedef signed char s8;
typedef unsigned short u16; typedef signed short s16;
typedef unsigned int u32;   typedef signed int s32;
typedef unsigned long long u64; typedef signed long long s64;
typedef long ssize_t;

/* include/linux/types.h */
typedef struct { int counter; } atomic_t;
typedef struct { s64 counter; } atomic64_t;
struct list_head { struct list_head *next, *prev; };
struct hlist_head { struct hlist_node *first; };
struct hlist_node { struct hlist_node *next, **pprev; };
struct callback_head {
	struct callback_head *next;
	void (*func)(struct callback_head *head);
} __attribute__((aligned(sizeof(void *))));

/* include/linux/atomic/atomic-long.h, CONFIG_64BIT */
typedef atomic64_t atomic_long_t;

/* arch/x86/include/asm/local.h, include/asm-generic/local.h */
typedef struct { atomic_long_t a; } local_t;

/* include/asm-generic/local64.h, BITS_PER_LONG == 64 */
typedef struct { local_t a; } local64_t;

/* include/linux/refcount_types.h */
typedef struct refcount_struct { atomic_t refs; } refcount_t;

/* include/linux/rbtree_types.h */
struct rb_node {
	unsigned long  __rb_parent_color;
	struct rb_node *rb_right;
	struct rb_node *rb_left;
} __attribute__((aligned(sizeof(long))));
struct rb_root { struct rb_node *rb_node; };
struct rb_root_cached { struct rb_root rb_root; struct rb_node *rb_leftmost; };

/* include/linux/seqlock_types.h, no lockdep */
typedef struct seqcount { unsigned sequence; } seqcount_t;

/* include/linux/u64_stats_sync.h, BITS_PER_LONG == 64 */
struct u64_stats_sync { };
typedef struct { local64_t v; } u64_stats_t;

/* include/asm-generic/qspinlock_types.h, little-endian */
typedef struct qspinlock {
	union {
		atomic_t val;
		struct { u8 locked; u8 pending; };
		struct { u16 locked_pending; u16 tail; };
	};
} arch_spinlock_t;

/* include/linux/spinlock_types_raw.h, no DEBUG_SPINLOCK, no lockdep */
typedef struct raw_spinlock { arch_spinlock_t raw_lock; } raw_spinlock_t;

/* include/linux/rtmutex.h */
struct rt_mutex_base {
	raw_spinlock_t wait_lock;
	struct rb_root_cached waiters;
	struct task_struct *owner;
};

#ifndef CONFIG_PREEMPT_RT
/* include/linux/spinlock_types.h */
typedef struct spinlock { union { struct raw_spinlock rlock; }; } spinlock_t;
/* include/linux/local_lock_internal.h */
typedef struct { } local_lock_t;
typedef struct { local_lock_t llock; u8 acquired; } local_trylock_t;
#else
typedef struct spinlock { struct rt_mutex_base lock; } spinlock_t;
typedef spinlock_t local_lock_t;
typedef spinlock_t local_trylock_t;
#endif
