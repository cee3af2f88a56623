/* SPDX-License-Identifier: GPL-2.0 */
/*
 * templates/linux/percpu-defs.h: the architecture-independent per-CPU layer,
 * in the shape of include/linux/percpu-defs.h, for the percpu-ts generator.
 *
 * Size-generic ops dispatch on sizeof(pcp) with __pcpu_size_call*(stem, ...),
 * which the generator resolves per width N in 1, 2, 4, 8 to stem##N, exactly
 * as the preprocessor does; a width the architecture lacks is an error (the
 * kernel's __bad_size_call_parameter link error).
 *
 * Every other macro here is instantiated once per width and emitted as
 * <name>_<N>: sub, inc and dec are add of a derived operand, *_return ops are
 * add_return, and __this_cpu_<op> is the DEBUG_PREEMPT check followed by
 * raw_cpu_<op>. The kernel writes those bodies as ({ check; op; }); this table
 * writes the same sequence as a parenthesized comma expression.
 */

/* Dispatch to the architecture's sized ops. */
#define raw_cpu_read(pcp)                      __pcpu_size_call_return(raw_cpu_read_, pcp)
#define raw_cpu_write(pcp, val)                __pcpu_size_call(raw_cpu_write_, pcp, val)
#define raw_cpu_add(pcp, val)                  __pcpu_size_call(raw_cpu_add_, pcp, val)
#define raw_cpu_and(pcp, val)                  __pcpu_size_call(raw_cpu_and_, pcp, val)
#define raw_cpu_or(pcp, val)                   __pcpu_size_call(raw_cpu_or_, pcp, val)
#define raw_cpu_add_return(pcp, val)           __pcpu_size_call_return2(raw_cpu_add_return_, pcp, val)
#define raw_cpu_xchg(pcp, nval)                __pcpu_size_call_return2(raw_cpu_xchg_, pcp, nval)
#define raw_cpu_cmpxchg(pcp, oval, nval)       __pcpu_size_call_return2(raw_cpu_cmpxchg_, pcp, oval, nval)
#define raw_cpu_try_cmpxchg(pcp, ovalp, nval)  __pcpu_size_call_return2bool(raw_cpu_try_cmpxchg_, pcp, ovalp, nval)

#define this_cpu_read(pcp)                     __pcpu_size_call_return(this_cpu_read_, pcp)
#define this_cpu_write(pcp, val)               __pcpu_size_call(this_cpu_write_, pcp, val)
#define this_cpu_add(pcp, val)                 __pcpu_size_call(this_cpu_add_, pcp, val)
#define this_cpu_and(pcp, val)                 __pcpu_size_call(this_cpu_and_, pcp, val)
#define this_cpu_or(pcp, val)                  __pcpu_size_call(this_cpu_or_, pcp, val)
#define this_cpu_add_return(pcp, val)          __pcpu_size_call_return2(this_cpu_add_return_, pcp, val)
#define this_cpu_xchg(pcp, nval)               __pcpu_size_call_return2(this_cpu_xchg_, pcp, nval)
#define this_cpu_cmpxchg(pcp, oval, nval)      __pcpu_size_call_return2(this_cpu_cmpxchg_, pcp, oval, nval)
#define this_cpu_try_cmpxchg(pcp, ovalp, nval) __pcpu_size_call_return2bool(this_cpu_try_cmpxchg_, pcp, ovalp, nval)

/* raw_cpu_*: no checks; the caller keeps the CPU. */
#define raw_cpu_sub(pcp, val)                  raw_cpu_add(pcp, -(val))
#define raw_cpu_inc(pcp)                       raw_cpu_add(pcp, 1)
#define raw_cpu_dec(pcp)                       raw_cpu_sub(pcp, 1)
#define raw_cpu_sub_return(pcp, val)           raw_cpu_add_return(pcp, -(typeof(pcp))(val))
#define raw_cpu_inc_return(pcp)                raw_cpu_add_return(pcp, 1)
#define raw_cpu_dec_return(pcp)                raw_cpu_add_return(pcp, -1)

/* __this_cpu_*: the caller disabled preemption; CONFIG_DEBUG_PREEMPT checks it. */
#define __this_cpu_read(pcp)                   (__this_cpu_preempt_check("read"), raw_cpu_read(pcp))
#define __this_cpu_write(pcp, val)             (__this_cpu_preempt_check("write"), raw_cpu_write(pcp, val))
#define __this_cpu_add(pcp, val)               (__this_cpu_preempt_check("add"), raw_cpu_add(pcp, val))
#define __this_cpu_and(pcp, val)               (__this_cpu_preempt_check("and"), raw_cpu_and(pcp, val))
#define __this_cpu_or(pcp, val)                (__this_cpu_preempt_check("or"), raw_cpu_or(pcp, val))
#define __this_cpu_add_return(pcp, val)        (__this_cpu_preempt_check("add_return"), raw_cpu_add_return(pcp, val))
#define __this_cpu_xchg(pcp, nval)             (__this_cpu_preempt_check("xchg"), raw_cpu_xchg(pcp, nval))
#define __this_cpu_cmpxchg(pcp, oval, nval)    (__this_cpu_preempt_check("cmpxchg"), raw_cpu_cmpxchg(pcp, oval, nval))
#define __this_cpu_try_cmpxchg(pcp, ovalp, nval) (__this_cpu_preempt_check("try_cmpxchg"), raw_cpu_try_cmpxchg(pcp, ovalp, nval))
#define __this_cpu_sub(pcp, val)               __this_cpu_add(pcp, -(typeof(pcp))(val))
#define __this_cpu_inc(pcp)                    __this_cpu_add(pcp, 1)
#define __this_cpu_dec(pcp)                    __this_cpu_sub(pcp, 1)
#define __this_cpu_sub_return(pcp, val)        __this_cpu_add_return(pcp, -(typeof(pcp))(val))
#define __this_cpu_inc_return(pcp)             __this_cpu_add_return(pcp, 1)
#define __this_cpu_dec_return(pcp)             __this_cpu_add_return(pcp, -1)

/* this_cpu_*: safe against preemption and interrupts on this CPU. */
#define this_cpu_sub(pcp, val)                 this_cpu_add(pcp, -(typeof(pcp))(val))
#define this_cpu_inc(pcp)                      this_cpu_add(pcp, 1)
#define this_cpu_dec(pcp)                      this_cpu_sub(pcp, 1)
#define this_cpu_sub_return(pcp, val)          this_cpu_add_return(pcp, -(typeof(pcp))(val))
#define this_cpu_inc_return(pcp)               this_cpu_add_return(pcp, 1)
#define this_cpu_dec_return(pcp)               this_cpu_add_return(pcp, -1)
