/**
 * Names for plain addresses in traces: an address inside a CPU's copy of a
 * static per-CPU variable reads as `per_cpu(counter, 1)` or
 * `per_cpu(zs, 0).vm_stat_diff[2]` instead of `0x2042`.
 */
import { memberAt } from '../c/layout.js';
import type { Machine } from './machine.js';

/** The C expression for the object at `addr` of `size` bytes, or null when it is not inside a static per-CPU variable. */
export function symbolAt(m: Machine, addr: number, size: number): string | null {
  const l = m.layout;
  if (l === null || addr < l.base || addr >= l.base + m.nrCpus * l.unitSize) return null;
  const cpu = Math.floor((addr - l.base) / l.unitSize);
  const off = addr - m.perCpuOffset[cpu];
  if (off >= l.staticSize) return null;
  for (const d of m.linker.definitions()) {
    const at = d.ptr.off;
    if (off < at || off + size > at + d.size) continue;
    const path = memberAt(d.ctype, off - at, size);
    if (path === null) return null;
    const base = `per_cpu(${d.name}, ${cpu})`;
    return path === '' ? base : path.startsWith('[') ? `${base}${path}` : `${base}.${path}`;
  }
  return null;
}
