/* SPDX-License-Identifier: GPL-2.0 */
/* linux/kernel.h for percpu-cc: limits, ARRAY_SIZE, min/max, in the kernel's shape (include/linux/limits.h, minmax.h). */
#ifndef _LINUX_KERNEL_H
#define _LINUX_KERNEL_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/bug.h>

#define U8_MAX ((u8)~0U)
#define S8_MAX ((s8)(U8_MAX >> 1))
#define S8_MIN ((s8)(-S8_MAX - 1))
#define U16_MAX ((u16)~0U)
#define S16_MAX ((s16)(U16_MAX >> 1))
#define S16_MIN ((s16)(-S16_MAX - 1))
#define U32_MAX ((u32)~0U)
#define S32_MAX ((s32)(U32_MAX >> 1))
#define S32_MIN ((s32)(-S32_MAX - 1))
#define U64_MAX ((u64)~0ULL)
#define S64_MAX ((s64)(U64_MAX >> 1))
#define S64_MIN ((s64)(-S64_MAX - 1))
#define INT_MAX ((int)(~0U >> 1))
#define INT_MIN (-INT_MAX - 1)
#define UINT_MAX (~0U)
#define LONG_MAX ((long)(~0UL >> 1))
#define LONG_MIN (-LONG_MAX - 1)
#define ULONG_MAX (~0UL)

/*
 * CONFIG_DEBUG_ATOMIC_SLEEP (kernel/sched/core.c __cant_sleep()): code that
 * must not be preempted says so; in preemptible context the kernel prints
 * "BUG: assuming atomic context at file:line" and goes on.
 */
#ifdef CONFIG_DEBUG_ATOMIC_SLEEP
void __cant_sleep(const char *file, int line, int preempt_offset);
#define cant_sleep() __cant_sleep(__FILE__, __LINE__, 0)
#else
#define cant_sleep() do { } while (0)
#endif

#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]))

#define min(x, y) ({ typeof(x) __x = (x); typeof(y) __y = (y); __x < __y ? __x : __y; })
#define max(x, y) ({ typeof(x) __x = (x); typeof(y) __y = (y); __x > __y ? __x : __y; })
#define min_t(type, x, y) ({ type __x = (x); type __y = (y); __x < __y ? __x : __y; })
#define max_t(type, x, y) ({ type __x = (x); type __y = (y); __x > __y ? __x : __y; })
#define abs(x) ({ typeof(x) __x = (x); __x < 0 ? -__x : __x; })

/* include/linux/minmax.h: swap the values of two variables of one type. */
#define swap(a, b) \
	do { typeof(a) __tmp = (a); (a) = (b); (b) = __tmp; } while (0)

#endif /* _LINUX_KERNEL_H */
