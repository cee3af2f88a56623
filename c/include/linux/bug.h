/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/bug.h for percpu-cc, in the shape of include/asm-generic/bug.h:
 * BUG() stops the context with "kernel BUG at file:line!"; WARN_ON() reports
 * "WARNING: ... at file:line" and goes on. The explorer reports either as a
 * violation with the C line. CONFIG_DEBUG_VM (predefined by percpu-cc) makes VM_BUG_ON a BUG_ON.
 */
#ifndef _LINUX_BUG_H
#define _LINUX_BUG_H

void __percpu_sim_bug(const char *file, int line);
void __percpu_sim_warn(const char *file, int line, const char *func);

#define BUG() __percpu_sim_bug(__FILE__, __LINE__)
#define BUG_ON(condition) do { if (__builtin_expect(!!(condition), 0)) BUG(); } while (0)
#define __WARN() __percpu_sim_warn(__FILE__, __LINE__, __func__)

#define WARN_ON(condition) ({						\
	int __ret_warn_on = !!(condition);				\
	if (__builtin_expect(__ret_warn_on, 0))				\
		__WARN();						\
	__builtin_expect(__ret_warn_on, 0);				\
})

#define WARN_ON_ONCE(condition) ({					\
	static bool __already_done;					\
	int __ret_do_once = !!(condition);				\
	if (__builtin_expect(__ret_do_once && !__already_done, 0)) {	\
		__already_done = true;					\
		__WARN();						\
	}								\
	__builtin_expect(__ret_do_once, 0);				\
})

#ifdef CONFIG_DEBUG_VM
#define VM_BUG_ON(cond) BUG_ON(cond)
#define VM_WARN_ON(cond) (void)WARN_ON(cond)
#define VM_WARN_ON_ONCE(cond) (void)WARN_ON_ONCE(cond)
#else
#define VM_BUG_ON(cond) do { } while (0)
#define VM_WARN_ON(cond) do { } while (0)
#define VM_WARN_ON_ONCE(cond) do { } while (0)
#endif

#endif /* _LINUX_BUG_H */
