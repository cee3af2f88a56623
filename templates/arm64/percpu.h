/* SPDX-License-Identifier: GPL-2.0 */
/*
 * templates/arm64/percpu.h: the arm64 per-CPU op table, written in the shape
 * of arch/arm64/include/asm/percpu.h (v6.5-v6.18, LSE atomics) for the
 * percpu-ts generator.
 *
 * Every line defines one sized op as a call of a macro family (a template in
 * families/ or templates/linux/families/), as templates/x86_64/percpu.h does.
 *
 * The per-CPU offset lives in TPIDR_EL1 (set_my_cpu_offset() at boot), read
 * with mrs: raw_cpu_ptr(&pcp) is `mrs x1, tpidr_el1; add x1, x1, #pcp`, and
 * the instructions after it address [x1].
 *
 *   this_cpu_*  _pcp_protect(): preempt_disable_notrace(), then ONE atomic
 *               instruction on raw_cpu_ptr(&pcp) (stadd, stset, stclr, ldadd,
 *               swp, cas, casp; and is stclr of ~val), then
 *               preempt_enable_notrace(). Interrupts stay on: one instruction
 *               cannot be split by one. read and write are READ_ONCE and
 *               WRITE_ONCE: one ldr or str (the shared raw_cpu_generic_read
 *               and raw_cpu_generic_to_op(=) bodies emit exactly that).
 *               try_cmpxchg is asm-generic's __cpu_fallback_try_cmpxchg over
 *               the cas.
 *   raw_cpu_*   arm64 defines none: the #include of asm-generic at the end
 *               fills them in (plain C on raw_cpu_ptr(&pcp): the address is
 *               computed once, so a migration between the load and the store
 *               writes the previous CPU's copy).
 *
 * The generic layer (sub, inc, dec, *_return, __this_cpu_*) is in
 * templates/linux/percpu-defs.h.
 */

/* preempt_disable_notrace(); op(raw_cpu_ptr(&pcp), ...); preempt_enable_notrace() */
#define _pcp_protect(op)                            (preempt_disable_notrace(), op, preempt_enable_notrace())

/* this_cpu_*: preemption off around one LSE atomic on this CPU's copy. */
#define this_cpu_read_1(pcp)                _pcp_protect(raw_cpu_generic_read(1, pcp))
#define this_cpu_read_2(pcp)                _pcp_protect(raw_cpu_generic_read(2, pcp))
#define this_cpu_read_4(pcp)                _pcp_protect(raw_cpu_generic_read(4, pcp))
#define this_cpu_read_8(pcp)                _pcp_protect(raw_cpu_generic_read(8, pcp))
#define this_cpu_write_1(pcp, val)          _pcp_protect(raw_cpu_generic_to_op(1, pcp, val, "="))
#define this_cpu_write_2(pcp, val)          _pcp_protect(raw_cpu_generic_to_op(2, pcp, val, "="))
#define this_cpu_write_4(pcp, val)          _pcp_protect(raw_cpu_generic_to_op(4, pcp, val, "="))
#define this_cpu_write_8(pcp, val)          _pcp_protect(raw_cpu_generic_to_op(8, pcp, val, "="))
#define this_cpu_add_1(pcp, val)            _pcp_protect(__percpu_add_case(1, pcp, val))
#define this_cpu_add_2(pcp, val)            _pcp_protect(__percpu_add_case(2, pcp, val))
#define this_cpu_add_4(pcp, val)            _pcp_protect(__percpu_add_case(4, pcp, val))
#define this_cpu_add_8(pcp, val)            _pcp_protect(__percpu_add_case(8, pcp, val))
#define this_cpu_and_1(pcp, val)            _pcp_protect(__percpu_andnot_case(1, pcp, ~(val)))
#define this_cpu_and_2(pcp, val)            _pcp_protect(__percpu_andnot_case(2, pcp, ~(val)))
#define this_cpu_and_4(pcp, val)            _pcp_protect(__percpu_andnot_case(4, pcp, ~(val)))
#define this_cpu_and_8(pcp, val)            _pcp_protect(__percpu_andnot_case(8, pcp, ~(val)))
#define this_cpu_or_1(pcp, val)             _pcp_protect(__percpu_or_case(1, pcp, val))
#define this_cpu_or_2(pcp, val)             _pcp_protect(__percpu_or_case(2, pcp, val))
#define this_cpu_or_4(pcp, val)             _pcp_protect(__percpu_or_case(4, pcp, val))
#define this_cpu_or_8(pcp, val)             _pcp_protect(__percpu_or_case(8, pcp, val))
#define this_cpu_add_return_1(pcp, val)     _pcp_protect(__percpu_add_return_case(1, pcp, val))
#define this_cpu_add_return_2(pcp, val)     _pcp_protect(__percpu_add_return_case(2, pcp, val))
#define this_cpu_add_return_4(pcp, val)     _pcp_protect(__percpu_add_return_case(4, pcp, val))
#define this_cpu_add_return_8(pcp, val)     _pcp_protect(__percpu_add_return_case(8, pcp, val))
#define this_cpu_xchg_1(pcp, nval)          _pcp_protect(__percpu_xchg_case(1, pcp, nval))
#define this_cpu_xchg_2(pcp, nval)          _pcp_protect(__percpu_xchg_case(2, pcp, nval))
#define this_cpu_xchg_4(pcp, nval)          _pcp_protect(__percpu_xchg_case(4, pcp, nval))
#define this_cpu_xchg_8(pcp, nval)          _pcp_protect(__percpu_xchg_case(8, pcp, nval))
#define this_cpu_cmpxchg_1(pcp, oval, nval) _pcp_protect(__percpu_cmpxchg_case(1, pcp, oval, nval))
#define this_cpu_cmpxchg_2(pcp, oval, nval) _pcp_protect(__percpu_cmpxchg_case(2, pcp, oval, nval))
#define this_cpu_cmpxchg_4(pcp, oval, nval) _pcp_protect(__percpu_cmpxchg_case(4, pcp, oval, nval))
#define this_cpu_cmpxchg_8(pcp, oval, nval) _pcp_protect(__percpu_cmpxchg_case(8, pcp, oval, nval))
#define this_cpu_try_cmpxchg_1(pcp, ovalp, nval) _pcp_protect(__percpu_try_cmpxchg_case(1, pcp, ovalp, nval))
#define this_cpu_try_cmpxchg_2(pcp, ovalp, nval) _pcp_protect(__percpu_try_cmpxchg_case(2, pcp, ovalp, nval))
#define this_cpu_try_cmpxchg_4(pcp, ovalp, nval) _pcp_protect(__percpu_try_cmpxchg_case(4, pcp, ovalp, nval))
#define this_cpu_try_cmpxchg_8(pcp, ovalp, nval) _pcp_protect(__percpu_try_cmpxchg_case(8, pcp, ovalp, nval))
#define this_cpu_cmpxchg64(pcp, oval, nval) _pcp_protect(__percpu_cmpxchg_case(8, pcp, oval, nval))
#define this_cpu_try_cmpxchg64(pcp, ovalp, nval) _pcp_protect(__percpu_try_cmpxchg_case(8, pcp, ovalp, nval))
#define this_cpu_cmpxchg128(pcp, oval, nval) _pcp_protect(__percpu_cmpxchg128_case(16, pcp, oval, nval))
#define this_cpu_try_cmpxchg128(pcp, ovalp, nval) _pcp_protect(__percpu_try_cmpxchg128_case(16, pcp, ovalp, nval))

/* Everything not defined above comes from asm-generic's #ifndef fill-ins, as in the kernel. */
#include <asm-generic/percpu.h>
