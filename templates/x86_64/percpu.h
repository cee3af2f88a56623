/* SPDX-License-Identifier: GPL-2.0 */
/*
 * templates/x86_64/percpu.h: the x86-64 per-CPU op table, written in the shape
 * of arch/x86/include/asm/percpu.h (v6.12-v6.18) for the percpu-ts generator.
 *
 * Every line defines one sized op as a call of a macro family:
 *
 *   #define <variant>_<op>_<N>(<params>)   <family>(<N>, <qual>, <args>)
 *
 *   variant  raw_cpu   qual empty: no protection, the caller keeps the CPU;
 *            this_cpu  qual volatile: safe against preemption and interrupts
 *                      on this CPU (one instruction, or a cmpxchg loop).
 *   N        operand width in bytes: 1, 2, 4, 8 (cmpxchg64 is 8, cmpxchg128 16).
 *   family   a macro with a body template in families/<family>.hbs (or in
 *            templates/linux/families/ when every architecture shares it).
 *   params   pcp (the per-CPU variable), val, oval, nval (operands), ovalp
 *            (where try_cmpxchg reports the value it found).
 *
 * On x86 the qual is the only difference between raw_cpu_ and this_cpu_,
 * except xchg: a raw xchg is a plain read then write, while this_cpu_xchg is
 * a cmpxchg loop (the xchg instruction carries an implied LOCK).
 * The generic layer (sub, inc, dec, *_return, __this_cpu_*) is in
 * templates/linux/percpu-defs.h.
 */

/* raw_cpu_*: qual empty */
#define raw_cpu_read_1(pcp)                __raw_cpu_read(1, , pcp)
#define raw_cpu_read_2(pcp)                __raw_cpu_read(2, , pcp)
#define raw_cpu_read_4(pcp)                __raw_cpu_read(4, , pcp)
#define raw_cpu_read_8(pcp)                __raw_cpu_read(8, , pcp)
#define raw_cpu_write_1(pcp, val)          __raw_cpu_write(1, , pcp, val)
#define raw_cpu_write_2(pcp, val)          __raw_cpu_write(2, , pcp, val)
#define raw_cpu_write_4(pcp, val)          __raw_cpu_write(4, , pcp, val)
#define raw_cpu_write_8(pcp, val)          __raw_cpu_write(8, , pcp, val)
#define raw_cpu_add_1(pcp, val)            percpu_add_op(1, , pcp, val)
#define raw_cpu_add_2(pcp, val)            percpu_add_op(2, , pcp, val)
#define raw_cpu_add_4(pcp, val)            percpu_add_op(4, , pcp, val)
#define raw_cpu_add_8(pcp, val)            percpu_add_op(8, , pcp, val)
#define raw_cpu_and_1(pcp, val)            percpu_binary_op(1, , "and", pcp, val)
#define raw_cpu_and_2(pcp, val)            percpu_binary_op(2, , "and", pcp, val)
#define raw_cpu_and_4(pcp, val)            percpu_binary_op(4, , "and", pcp, val)
#define raw_cpu_and_8(pcp, val)            percpu_binary_op(8, , "and", pcp, val)
#define raw_cpu_or_1(pcp, val)             percpu_binary_op(1, , "or", pcp, val)
#define raw_cpu_or_2(pcp, val)             percpu_binary_op(2, , "or", pcp, val)
#define raw_cpu_or_4(pcp, val)             percpu_binary_op(4, , "or", pcp, val)
#define raw_cpu_or_8(pcp, val)             percpu_binary_op(8, , "or", pcp, val)
#define raw_cpu_add_return_1(pcp, val)     percpu_add_return_op(1, , pcp, val)
#define raw_cpu_add_return_2(pcp, val)     percpu_add_return_op(2, , pcp, val)
#define raw_cpu_add_return_4(pcp, val)     percpu_add_return_op(4, , pcp, val)
#define raw_cpu_add_return_8(pcp, val)     percpu_add_return_op(8, , pcp, val)
#define raw_cpu_xchg_1(pcp, nval)          raw_percpu_xchg_op(pcp, nval)
#define raw_cpu_xchg_2(pcp, nval)          raw_percpu_xchg_op(pcp, nval)
#define raw_cpu_xchg_4(pcp, nval)          raw_percpu_xchg_op(pcp, nval)
#define raw_cpu_xchg_8(pcp, nval)          raw_percpu_xchg_op(pcp, nval)
#define raw_cpu_cmpxchg_1(pcp, oval, nval) percpu_cmpxchg_op(1, , pcp, oval, nval)
#define raw_cpu_cmpxchg_2(pcp, oval, nval) percpu_cmpxchg_op(2, , pcp, oval, nval)
#define raw_cpu_cmpxchg_4(pcp, oval, nval) percpu_cmpxchg_op(4, , pcp, oval, nval)
#define raw_cpu_cmpxchg_8(pcp, oval, nval) percpu_cmpxchg_op(8, , pcp, oval, nval)
#define raw_cpu_try_cmpxchg_1(pcp, ovalp, nval) percpu_try_cmpxchg_op(1, , pcp, ovalp, nval)
#define raw_cpu_try_cmpxchg_2(pcp, ovalp, nval) percpu_try_cmpxchg_op(2, , pcp, ovalp, nval)
#define raw_cpu_try_cmpxchg_4(pcp, ovalp, nval) percpu_try_cmpxchg_op(4, , pcp, ovalp, nval)
#define raw_cpu_try_cmpxchg_8(pcp, ovalp, nval) percpu_try_cmpxchg_op(8, , pcp, ovalp, nval)
#define raw_cpu_cmpxchg64(pcp, oval, nval) percpu_cmpxchg_op(8, , pcp, oval, nval)
#define raw_cpu_try_cmpxchg64(pcp, ovalp, nval) percpu_try_cmpxchg_op(8, , pcp, ovalp, nval)
#define raw_cpu_cmpxchg128(pcp, oval, nval) percpu_cmpxchg128_op(16, , pcp, oval, nval)
#define raw_cpu_try_cmpxchg128(pcp, ovalp, nval) percpu_try_cmpxchg128_op(16, , pcp, ovalp, nval)

/* this_cpu_*: qual volatile */
#define this_cpu_read_1(pcp)               __raw_cpu_read(1, volatile, pcp)
#define this_cpu_read_2(pcp)               __raw_cpu_read(2, volatile, pcp)
#define this_cpu_read_4(pcp)               __raw_cpu_read(4, volatile, pcp)
#define this_cpu_read_8(pcp)               __raw_cpu_read(8, volatile, pcp)
#define this_cpu_write_1(pcp, val)         __raw_cpu_write(1, volatile, pcp, val)
#define this_cpu_write_2(pcp, val)         __raw_cpu_write(2, volatile, pcp, val)
#define this_cpu_write_4(pcp, val)         __raw_cpu_write(4, volatile, pcp, val)
#define this_cpu_write_8(pcp, val)         __raw_cpu_write(8, volatile, pcp, val)
#define this_cpu_add_1(pcp, val)           percpu_add_op(1, volatile, pcp, val)
#define this_cpu_add_2(pcp, val)           percpu_add_op(2, volatile, pcp, val)
#define this_cpu_add_4(pcp, val)           percpu_add_op(4, volatile, pcp, val)
#define this_cpu_add_8(pcp, val)           percpu_add_op(8, volatile, pcp, val)
#define this_cpu_and_1(pcp, val)           percpu_binary_op(1, volatile, "and", pcp, val)
#define this_cpu_and_2(pcp, val)           percpu_binary_op(2, volatile, "and", pcp, val)
#define this_cpu_and_4(pcp, val)           percpu_binary_op(4, volatile, "and", pcp, val)
#define this_cpu_and_8(pcp, val)           percpu_binary_op(8, volatile, "and", pcp, val)
#define this_cpu_or_1(pcp, val)            percpu_binary_op(1, volatile, "or", pcp, val)
#define this_cpu_or_2(pcp, val)            percpu_binary_op(2, volatile, "or", pcp, val)
#define this_cpu_or_4(pcp, val)            percpu_binary_op(4, volatile, "or", pcp, val)
#define this_cpu_or_8(pcp, val)            percpu_binary_op(8, volatile, "or", pcp, val)
#define this_cpu_add_return_1(pcp, val)    percpu_add_return_op(1, volatile, pcp, val)
#define this_cpu_add_return_2(pcp, val)    percpu_add_return_op(2, volatile, pcp, val)
#define this_cpu_add_return_4(pcp, val)    percpu_add_return_op(4, volatile, pcp, val)
#define this_cpu_add_return_8(pcp, val)    percpu_add_return_op(8, volatile, pcp, val)
#define this_cpu_xchg_1(pcp, nval)         this_percpu_xchg_op(pcp, nval)
#define this_cpu_xchg_2(pcp, nval)         this_percpu_xchg_op(pcp, nval)
#define this_cpu_xchg_4(pcp, nval)         this_percpu_xchg_op(pcp, nval)
#define this_cpu_xchg_8(pcp, nval)         this_percpu_xchg_op(pcp, nval)
#define this_cpu_cmpxchg_1(pcp, oval, nval) percpu_cmpxchg_op(1, volatile, pcp, oval, nval)
#define this_cpu_cmpxchg_2(pcp, oval, nval) percpu_cmpxchg_op(2, volatile, pcp, oval, nval)
#define this_cpu_cmpxchg_4(pcp, oval, nval) percpu_cmpxchg_op(4, volatile, pcp, oval, nval)
#define this_cpu_cmpxchg_8(pcp, oval, nval) percpu_cmpxchg_op(8, volatile, pcp, oval, nval)
#define this_cpu_try_cmpxchg_1(pcp, ovalp, nval) percpu_try_cmpxchg_op(1, volatile, pcp, ovalp, nval)
#define this_cpu_try_cmpxchg_2(pcp, ovalp, nval) percpu_try_cmpxchg_op(2, volatile, pcp, ovalp, nval)
#define this_cpu_try_cmpxchg_4(pcp, ovalp, nval) percpu_try_cmpxchg_op(4, volatile, pcp, ovalp, nval)
#define this_cpu_try_cmpxchg_8(pcp, ovalp, nval) percpu_try_cmpxchg_op(8, volatile, pcp, ovalp, nval)
#define this_cpu_cmpxchg64(pcp, oval, nval) percpu_cmpxchg_op(8, volatile, pcp, oval, nval)
#define this_cpu_try_cmpxchg64(pcp, ovalp, nval) percpu_try_cmpxchg_op(8, volatile, pcp, ovalp, nval)
#define this_cpu_cmpxchg128(pcp, oval, nval) percpu_cmpxchg128_op(16, volatile, pcp, oval, nval)
#define this_cpu_try_cmpxchg128(pcp, ovalp, nval) percpu_try_cmpxchg128_op(16, volatile, pcp, ovalp, nval)

/* this_cpu_read_stable: a read the compiler may cache (current, top_of_stack) */
#define this_cpu_read_stable_1(pcp)        __raw_cpu_read_stable(1, pcp)
#define this_cpu_read_stable_2(pcp)        __raw_cpu_read_stable(2, pcp)
#define this_cpu_read_stable_4(pcp)        __raw_cpu_read_stable(4, pcp)
#define this_cpu_read_stable_8(pcp)        __raw_cpu_read_stable(8, pcp)
