/* SPDX-License-Identifier: GPL-2.0 */
/*
 * templates/generic/percpu.h: the asm-generic per-CPU op table, written in
 * the shape of include/asm-generic/percpu.h (v6.12-v6.18) for the percpu-ts
 * generator: the ops an architecture gets when it defines none of its own.
 *
 * Every line defines one sized op as a call of a macro family (a template in
 * families/ or templates/linux/families/), as templates/x86_64/percpu.h does:
 *
 *   #define <variant>_<op>_<N>(<params>)   <family>(<N>, <args>)
 *
 * There is no per-CPU base register: __my_cpu_offset is
 * __per_cpu_offset[raw_smp_processor_id()], so raw_cpu_ptr(&pcp) reads the CPU
 * number, indexes the array and adds &pcp — computed once per op.
 *
 *   raw_cpu_*   raw_cpu_generic_*: plain C, no protection.
 *   this_cpu_*  this_cpu_generic_*: raw_local_irq_save(flags), the same plain
 *               C, raw_local_irq_restore(flags) — _pcp_irqsave() below.
 *               this_cpu_read of a native word (1, 2, 4, 8 bytes on 64-bit)
 *               is READ_ONCE with preemption disabled — _pcp_preempt().
 *
 * The kernel's to_op takes the C operator as a macro argument
 * (raw_cpu_generic_to_op(pcp, val, +=)); here it is a string, "+=".
 * The generic layer (sub, inc, dec, *_return, __this_cpu_*) is in
 * templates/linux/percpu-defs.h.
 */

/* The bodies of this_cpu_generic_*: a plain-C op with interrupts off on this CPU. */
#define _pcp_irqsave(op)                           (raw_local_irq_save(), op, raw_local_irq_restore())
/* this_cpu_generic_read of a native word: preempt_disable_notrace(); READ_ONCE(...); preempt_enable_notrace(). */
#define _pcp_preempt(op)                           (preempt_disable_notrace(), op, preempt_enable_notrace())

/*
 * raw_cpu_*: include/asm-generic/percpu.h's #ifndef fill-ins, plain C on
 * raw_cpu_ptr(&pcp). The address is computed once; the load, the op and the
 * store that follow use it, so nothing protects the sequence: a migration
 * between the load and the store writes the previous CPU's copy.
 */
#define raw_cpu_read_1(pcp)                raw_cpu_generic_read(1, pcp)
#define raw_cpu_read_2(pcp)                raw_cpu_generic_read(2, pcp)
#define raw_cpu_read_4(pcp)                raw_cpu_generic_read(4, pcp)
#define raw_cpu_read_8(pcp)                raw_cpu_generic_read(8, pcp)
#define raw_cpu_write_1(pcp, val)          raw_cpu_generic_to_op(1, pcp, val, "=")
#define raw_cpu_write_2(pcp, val)          raw_cpu_generic_to_op(2, pcp, val, "=")
#define raw_cpu_write_4(pcp, val)          raw_cpu_generic_to_op(4, pcp, val, "=")
#define raw_cpu_write_8(pcp, val)          raw_cpu_generic_to_op(8, pcp, val, "=")
#define raw_cpu_add_1(pcp, val)            raw_cpu_generic_to_op(1, pcp, val, "+=")
#define raw_cpu_add_2(pcp, val)            raw_cpu_generic_to_op(2, pcp, val, "+=")
#define raw_cpu_add_4(pcp, val)            raw_cpu_generic_to_op(4, pcp, val, "+=")
#define raw_cpu_add_8(pcp, val)            raw_cpu_generic_to_op(8, pcp, val, "+=")
#define raw_cpu_and_1(pcp, val)            raw_cpu_generic_to_op(1, pcp, val, "&=")
#define raw_cpu_and_2(pcp, val)            raw_cpu_generic_to_op(2, pcp, val, "&=")
#define raw_cpu_and_4(pcp, val)            raw_cpu_generic_to_op(4, pcp, val, "&=")
#define raw_cpu_and_8(pcp, val)            raw_cpu_generic_to_op(8, pcp, val, "&=")
#define raw_cpu_or_1(pcp, val)             raw_cpu_generic_to_op(1, pcp, val, "|=")
#define raw_cpu_or_2(pcp, val)             raw_cpu_generic_to_op(2, pcp, val, "|=")
#define raw_cpu_or_4(pcp, val)             raw_cpu_generic_to_op(4, pcp, val, "|=")
#define raw_cpu_or_8(pcp, val)             raw_cpu_generic_to_op(8, pcp, val, "|=")
#define raw_cpu_add_return_1(pcp, val)     raw_cpu_generic_add_return(1, pcp, val)
#define raw_cpu_add_return_2(pcp, val)     raw_cpu_generic_add_return(2, pcp, val)
#define raw_cpu_add_return_4(pcp, val)     raw_cpu_generic_add_return(4, pcp, val)
#define raw_cpu_add_return_8(pcp, val)     raw_cpu_generic_add_return(8, pcp, val)
#define raw_cpu_xchg_1(pcp, nval)          raw_cpu_generic_xchg(1, pcp, nval)
#define raw_cpu_xchg_2(pcp, nval)          raw_cpu_generic_xchg(2, pcp, nval)
#define raw_cpu_xchg_4(pcp, nval)          raw_cpu_generic_xchg(4, pcp, nval)
#define raw_cpu_xchg_8(pcp, nval)          raw_cpu_generic_xchg(8, pcp, nval)
#define raw_cpu_cmpxchg_1(pcp, oval, nval) raw_cpu_generic_cmpxchg(1, pcp, oval, nval)
#define raw_cpu_cmpxchg_2(pcp, oval, nval) raw_cpu_generic_cmpxchg(2, pcp, oval, nval)
#define raw_cpu_cmpxchg_4(pcp, oval, nval) raw_cpu_generic_cmpxchg(4, pcp, oval, nval)
#define raw_cpu_cmpxchg_8(pcp, oval, nval) raw_cpu_generic_cmpxchg(8, pcp, oval, nval)
#define raw_cpu_try_cmpxchg_1(pcp, ovalp, nval) raw_cpu_generic_try_cmpxchg(1, pcp, ovalp, nval)
#define raw_cpu_try_cmpxchg_2(pcp, ovalp, nval) raw_cpu_generic_try_cmpxchg(2, pcp, ovalp, nval)
#define raw_cpu_try_cmpxchg_4(pcp, ovalp, nval) raw_cpu_generic_try_cmpxchg(4, pcp, ovalp, nval)
#define raw_cpu_try_cmpxchg_8(pcp, ovalp, nval) raw_cpu_generic_try_cmpxchg(8, pcp, ovalp, nval)
#define raw_cpu_cmpxchg64(pcp, oval, nval) raw_cpu_generic_cmpxchg(8, pcp, oval, nval)
#define raw_cpu_try_cmpxchg64(pcp, ovalp, nval) raw_cpu_generic_try_cmpxchg(8, pcp, ovalp, nval)
#define raw_cpu_cmpxchg128(pcp, oval, nval) raw_cpu_generic_cmpxchg128(16, pcp, oval, nval)
#define raw_cpu_try_cmpxchg128(pcp, ovalp, nval) raw_cpu_generic_try_cmpxchg128(16, pcp, ovalp, nval)

/* this_cpu_*: this_cpu_generic_*, interrupts off around the plain C (the read: preemption off). */
#define this_cpu_read_1(pcp)                _pcp_preempt(raw_cpu_generic_read(1, pcp))
#define this_cpu_read_2(pcp)                _pcp_preempt(raw_cpu_generic_read(2, pcp))
#define this_cpu_read_4(pcp)                _pcp_preempt(raw_cpu_generic_read(4, pcp))
#define this_cpu_read_8(pcp)                _pcp_preempt(raw_cpu_generic_read(8, pcp))
#define this_cpu_write_1(pcp, val)          _pcp_irqsave(raw_cpu_generic_to_op(1, pcp, val, "="))
#define this_cpu_write_2(pcp, val)          _pcp_irqsave(raw_cpu_generic_to_op(2, pcp, val, "="))
#define this_cpu_write_4(pcp, val)          _pcp_irqsave(raw_cpu_generic_to_op(4, pcp, val, "="))
#define this_cpu_write_8(pcp, val)          _pcp_irqsave(raw_cpu_generic_to_op(8, pcp, val, "="))
#define this_cpu_add_1(pcp, val)            _pcp_irqsave(raw_cpu_generic_to_op(1, pcp, val, "+="))
#define this_cpu_add_2(pcp, val)            _pcp_irqsave(raw_cpu_generic_to_op(2, pcp, val, "+="))
#define this_cpu_add_4(pcp, val)            _pcp_irqsave(raw_cpu_generic_to_op(4, pcp, val, "+="))
#define this_cpu_add_8(pcp, val)            _pcp_irqsave(raw_cpu_generic_to_op(8, pcp, val, "+="))
#define this_cpu_and_1(pcp, val)            _pcp_irqsave(raw_cpu_generic_to_op(1, pcp, val, "&="))
#define this_cpu_and_2(pcp, val)            _pcp_irqsave(raw_cpu_generic_to_op(2, pcp, val, "&="))
#define this_cpu_and_4(pcp, val)            _pcp_irqsave(raw_cpu_generic_to_op(4, pcp, val, "&="))
#define this_cpu_and_8(pcp, val)            _pcp_irqsave(raw_cpu_generic_to_op(8, pcp, val, "&="))
#define this_cpu_or_1(pcp, val)             _pcp_irqsave(raw_cpu_generic_to_op(1, pcp, val, "|="))
#define this_cpu_or_2(pcp, val)             _pcp_irqsave(raw_cpu_generic_to_op(2, pcp, val, "|="))
#define this_cpu_or_4(pcp, val)             _pcp_irqsave(raw_cpu_generic_to_op(4, pcp, val, "|="))
#define this_cpu_or_8(pcp, val)             _pcp_irqsave(raw_cpu_generic_to_op(8, pcp, val, "|="))
#define this_cpu_add_return_1(pcp, val)     _pcp_irqsave(raw_cpu_generic_add_return(1, pcp, val))
#define this_cpu_add_return_2(pcp, val)     _pcp_irqsave(raw_cpu_generic_add_return(2, pcp, val))
#define this_cpu_add_return_4(pcp, val)     _pcp_irqsave(raw_cpu_generic_add_return(4, pcp, val))
#define this_cpu_add_return_8(pcp, val)     _pcp_irqsave(raw_cpu_generic_add_return(8, pcp, val))
#define this_cpu_xchg_1(pcp, nval)          _pcp_irqsave(raw_cpu_generic_xchg(1, pcp, nval))
#define this_cpu_xchg_2(pcp, nval)          _pcp_irqsave(raw_cpu_generic_xchg(2, pcp, nval))
#define this_cpu_xchg_4(pcp, nval)          _pcp_irqsave(raw_cpu_generic_xchg(4, pcp, nval))
#define this_cpu_xchg_8(pcp, nval)          _pcp_irqsave(raw_cpu_generic_xchg(8, pcp, nval))
#define this_cpu_cmpxchg_1(pcp, oval, nval) _pcp_irqsave(raw_cpu_generic_cmpxchg(1, pcp, oval, nval))
#define this_cpu_cmpxchg_2(pcp, oval, nval) _pcp_irqsave(raw_cpu_generic_cmpxchg(2, pcp, oval, nval))
#define this_cpu_cmpxchg_4(pcp, oval, nval) _pcp_irqsave(raw_cpu_generic_cmpxchg(4, pcp, oval, nval))
#define this_cpu_cmpxchg_8(pcp, oval, nval) _pcp_irqsave(raw_cpu_generic_cmpxchg(8, pcp, oval, nval))
#define this_cpu_try_cmpxchg_1(pcp, ovalp, nval) _pcp_irqsave(raw_cpu_generic_try_cmpxchg(1, pcp, ovalp, nval))
#define this_cpu_try_cmpxchg_2(pcp, ovalp, nval) _pcp_irqsave(raw_cpu_generic_try_cmpxchg(2, pcp, ovalp, nval))
#define this_cpu_try_cmpxchg_4(pcp, ovalp, nval) _pcp_irqsave(raw_cpu_generic_try_cmpxchg(4, pcp, ovalp, nval))
#define this_cpu_try_cmpxchg_8(pcp, ovalp, nval) _pcp_irqsave(raw_cpu_generic_try_cmpxchg(8, pcp, ovalp, nval))
#define this_cpu_cmpxchg64(pcp, oval, nval) _pcp_irqsave(raw_cpu_generic_cmpxchg(8, pcp, oval, nval))
#define this_cpu_try_cmpxchg64(pcp, ovalp, nval) _pcp_irqsave(raw_cpu_generic_try_cmpxchg(8, pcp, ovalp, nval))
#define this_cpu_cmpxchg128(pcp, oval, nval) _pcp_irqsave(raw_cpu_generic_cmpxchg128(16, pcp, oval, nval))
#define this_cpu_try_cmpxchg128(pcp, ovalp, nval) _pcp_irqsave(raw_cpu_generic_try_cmpxchg128(16, pcp, ovalp, nval))
