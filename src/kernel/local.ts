/**
 * local_t and local64_t (include/asm-generic/local.h, arch/x86/include/asm/local.h,
 * include/asm-generic/local64.h; Linux v6.16): a long that only its own CPU
 * updates, atomically against that CPU's interrupts but not against other
 * CPUs. `local_t` is `{ atomic_long_t a; }`; local64_t is `{ local_t a; }`
 * on 64-bit.
 *
 * The ops are generated with the atomics (templates/atomic/local.tbl →
 * generated/atomic.ts, generated/atomic-stepped.ts): asm-generic defines each
 * as the atomic_long_t op of the same name on `&l->a`, so each is that op's
 * body on the counter's 8 bytes. x86 writes them without the lock prefix
 * (`incq`, `xaddq`, `cmpxchgq`): on one CPU an instruction cannot be split by
 * an interrupt, and no lock is needed when no other CPU writes. Both are one
 * instruction, one step, whose footprint is the counter's 8 bytes; on x86 the
 * trace shows the unlocked instruction. Sequential consistency makes the two
 * the same op.
 *
 * This module holds what the generated ops call: the pointee types, the
 * refusal of a bad `l`, and the stepped form's instruction.
 *
 * The pointer is a local_t * (a KPtr): usually one CPU's copy of a per-CPU
 * variable, `local_inc(this_cpu_ptr(&events))` →
 * `local_inc(m, this_cpu_kptr(m, events))`. Values are bigints (a long).
 */
import { kernelType } from '../../c/kernel-types.js';
import type { CType } from '../../c/types.js';
import { checkKPtr, foreignKPtr, kptr_member, memberSym, type KPtr } from '../kptr.js';
import { Machine } from '../machine.js';
import { atomicInsn, badAtomicMachine, type MemStep } from './atomic.js';

/** local_t: what a local_*() op's `l` must point to. */
export const LOCAL_T: CType = kernelType('local_t');
/** local64_t: what a local64_*() op's `l` must point to. */
export const LOCAL64_T: CType = kernelType('local64_t');

/**
 * The refusal of a local op's `l` (or, once `l` is a good pointer, of its
 * machine): a __percpu pointer where one CPU's copy belongs, not a live
 * pointer (checkKPtr's error), not to the op's type, or into another
 * machine's memory. Off the hot path.
 */
export function badLocalPtr(name: string, m: unknown, l: unknown, want: CType): Error {
  const type = want === LOCAL_T ? 'local_t' : 'local64_t';
  if (l !== null && typeof l === 'object' && typeof (l as { off?: unknown }).off === 'number') {
    return new TypeError(`${name}: ${(l as { sym?: string }).sym ?? 'the argument'} is a __percpu pointer; pass one CPU's ${type}: this_cpu_kptr() of it (sparse: incorrect type in argument, different address spaces)`);
  }
  const p = checkKPtr(l, name);
  if (p.ctype !== want) return new TypeError(`${name}: l must point to a ${type}; ${p.sym} is a ${p.ctype.name}`);
  if (!(m instanceof Machine) || !m.booted) return badAtomicMachine(name, m);
  return foreignKPtr(m, kptr_member(m, p, want === LOCAL_T ? 'a' : 'a.a'), name);
}

/** How C names the atomic_long_t a local op works on: `l->a` (local_t), `l->a.a` (local64_t). */
export function localMember(l: KPtr<unknown>, path: 'a' | 'a.a'): string {
  return memberSym(l.sym, path);
}

/**
 * The step a stepped local op yields: atomic op `op`'s instruction on `sym`
 * (the member localMember() names), without the lock prefix on x86
 * (arch/x86/include/asm/local.h); the counter's 8 bytes.
 */
export function localStep(m: Machine, op: string, access: 'r' | 'w', l: KPtr<unknown>, sym: string, call: string, i?: bigint): MemStep {
  const asm = atomicInsn(m, op, 8, sym, call, i);
  return { asm: m.arch === 'x86_64' ? asm.replace(/^lock /, '') : asm, addr: l.addr, size: 8, access };
}
