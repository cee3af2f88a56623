/**
 * The alternative the talk rejects: one helper for every op and width,
 * choosing the instruction per call ("a helper function for each combination …
 * would also add function call overhead"; here the combinations are folded
 * into one function, which is what reusing a generic helper amounts to). It
 * does the same checks and memory effects as the generated ops, so the
 * comparison measures only the cost of dispatching at run time.
 */
import { badOperand, misaligned } from '../../src/errors.js';
import type { Machine } from '../../src/machine.js';
import type { PerCpuPtr } from '../../src/percpu-ptr.js';

export type DispatchOp = 'read' | 'write' | 'add' | 'add_return' | 'cmpxchg';
export type Width = 1 | 2 | 4 | 8;

function opName(op: DispatchOp, width: Width): string {
  return `this_cpu_${op}_${width}`;
}

export function percpu_op(m: Machine, width: Width, op: DispatchOp, pcp: PerCpuPtr<unknown>, a: number | bigint, b: number | bigint): number | bigint | undefined {
  const wide = width === 8;
  if (op !== 'read') {
    if (wide ? typeof a !== 'bigint' : !Number.isInteger(a)) throw badOperand(opName(op, width), op === 'cmpxchg' ? 'oval' : 'val', a, wide);
    if (op === 'cmpxchg' && (wide ? typeof b !== 'bigint' : !Number.isInteger(b))) throw badOperand(opName(op, width), 'nval', b, wide);
  }
  if ((pcp.off & (width - 1)) !== 0) throw misaligned(opName(op, width), pcp.off, width);
  const addr = m.gs + pcp.off;
  switch (width) {
    case 1: {
      const u = m.u8;
      switch (op) {
        case 'read': return u[addr];
        case 'write': u[addr] = a as number; return undefined;
        case 'add': u[addr] += (a as number) & 0xff; return undefined;
        case 'add_return': u[addr] += (a as number) & 0xff; return u[addr];
        case 'cmpxchg': { const r = u[addr]; if (r === ((a as number) & 0xff)) u[addr] = b as number; return r; }
      }
      break;
    }
    case 2: {
      const u = m.u16;
      const i = addr >>> 1;
      switch (op) {
        case 'read': return u[i];
        case 'write': u[i] = a as number; return undefined;
        case 'add': u[i] += (a as number) & 0xffff; return undefined;
        case 'add_return': u[i] += (a as number) & 0xffff; return u[i];
        case 'cmpxchg': { const r = u[i]; if (r === ((a as number) & 0xffff)) u[i] = b as number; return r; }
      }
      break;
    }
    case 4: {
      const u = m.u32;
      const i = addr >>> 2;
      switch (op) {
        case 'read': return u[i];
        case 'write': u[i] = a as number; return undefined;
        case 'add': u[i] += (a as number) >>> 0; return undefined;
        case 'add_return': u[i] += (a as number) >>> 0; return u[i];
        case 'cmpxchg': { const r = u[i]; if (r === (a as number) >>> 0) u[i] = b as number; return r; }
      }
      break;
    }
    case 8: {
      const u = m.u64;
      const i = addr >>> 3;
      switch (op) {
        case 'read': return u[i];
        case 'write': u[i] = a as bigint; return undefined;
        case 'add': u[i] += a as bigint; return undefined;
        case 'add_return': u[i] += a as bigint; return u[i];
        case 'cmpxchg': { const r = u[i]; if (r === BigInt.asUintN(64, a as bigint)) u[i] = b as bigint; return r; }
      }
      break;
    }
  }
  throw new RangeError(`percpu_op: no op ${String(op)} of width ${String(width)}`);
}

/**
 * Calls the helper with every width and op once, as a program that uses it
 * for all its per-CPU variables would, so its type feedback is as general as
 * in real use rather than specialised to the one width a benchmark measures.
 */
export function warmDispatch(m: Machine, ptrs: Readonly<Record<Width, PerCpuPtr<unknown>>>, times: number): void {
  const ops: DispatchOp[] = ['read', 'write', 'add', 'add_return', 'cmpxchg'];
  for (let t = 0; t < times; t++) {
    for (const w of [1, 2, 4, 8] as const) {
      const one = w === 8 ? 1n : 1;
      for (const op of ops) percpu_op(m, w, op, ptrs[w], one, one);
    }
  }
}
