/**
 * The one hook the real-threads machine needs in a Machine: instead of
 * allocating memory at boot, adopt a SharedArrayBuffer that another thread's
 * machine has already booted.
 *
 * It sets exactly the own properties Machine.boot() and its private
 * setMemory() set — `buffer`, the views `u8 … u64`/`view` (own, writable data
 * properties, which shadow the "not booted" getters on the prototype),
 * the shared mapped-size word, `layout`, `__per_cpu_offset`, the per-CPU base registers, the
 * online mask, `systemState` and the machine's own architecture field
 * (`m.tag_x86_64`, which generated ops check their pointer's tag against) — so
 * generated ops, which read only that field, `m.gs`, `m.u8 … m.u64`, `m.ctx`,
 * `m.debugPreempt`, `m.systemState` and `m.cpu`, run on an adopted machine
 * unchanged. It never writes the memory: the unit contents
 * (`this_cpu_off`, `cpu_number`, every static's initial value) were written
 * once by the booting thread.
 */
import { pcpu_allocator_elsewhere } from '../mm/percpu-alloc.js';
import { MachineStateError } from '../errors.js';
import { PAGE_SIZE, type LayoutEntry } from '../linker.js';
import { machineArg, type FirstChunkLayout, type Machine } from '../machine.js';
import { describe } from '../types.js';

/** What a thread needs to adopt a booted machine's memory (all structured-clonable). */
export interface AdoptedMemory {
  readonly buffer: SharedArrayBuffer;
  readonly layout: FirstChunkLayout;
  /** The mapped size when described (checked against the first chunk). */
  readonly mappedBytes: number;
  /** The booting machine's shared mapped-size word (Machine.mappedWord): read live, so chunks mapped later are reachable. */
  readonly mappedWord: SharedArrayBuffer;
  /** `__per_cpu_offset[]` of the booting machine. */
  readonly perCpuOffset: readonly number[];
  /** MSR_GS_BASE / TPIDR_EL1 of every CPU as loaded at boot. */
  readonly percpuBaseReg: readonly number[];
  readonly online: readonly number[];
}

function sameEntry(a: LayoutEntry, b: LayoutEntry): boolean {
  return a.name === b.name && a.offset === b.offset && a.size === b.size && a.type === b.type && a.section === b.section;
}

/**
 * Makes an unbooted machine share `mem`. The machine must have defined the same
 * static per-CPU variables, in the same order, as the machine that booted the
 * memory: its `.data..percpu` is linked here and must come out identical, or
 * a pointer would name different bytes in different threads. Refused (machine
 * unchanged) when anything does not match.
 */
export function adoptMemory(m: Machine, mem: AdoptedMemory): void {
  if (machineArg(m, 'adoptMemory').booted) throw new MachineStateError('adoptMemory: this machine has already booted; adopt shared memory instead of booting, not after');
  if (mem === null || typeof mem !== 'object') throw new TypeError(`adoptMemory: expected a description from describeSharedMachine(), got ${describe(mem)}`);
  if (!(mem.buffer instanceof SharedArrayBuffer)) {
    throw new TypeError('adoptMemory: buffer must be a SharedArrayBuffer (boot the first machine with sharedMemoryBytes)');
  }
  const { layout } = mem;
  if (mem.perCpuOffset.length !== m.nrCpus || mem.percpuBaseReg.length !== m.nrCpus) {
    throw new RangeError(`adoptMemory: the shared memory was booted for ${mem.perCpuOffset.length} CPUs, this machine has ${m.nrCpus}; create it with the same cpus option`);
  }
  const firstChunkEnd = layout.base + m.nrCpus * layout.unitSize;
  if (!Number.isInteger(mem.mappedBytes) || mem.mappedBytes < firstChunkEnd || mem.mappedBytes > mem.buffer.byteLength) {
    throw new RangeError(`adoptMemory: mappedBytes ${mem.mappedBytes} must cover the first chunk (${firstChunkEnd} bytes) and fit the buffer (${mem.buffer.byteLength} bytes)`);
  }
  if (layout.unitSize % PAGE_SIZE !== 0 || layout.base % PAGE_SIZE !== 0) {
    throw new RangeError(`adoptMemory: units must be page-aligned (base ${layout.base}, unit size ${layout.unitSize})`);
  }
  if (!(mem.mappedWord instanceof SharedArrayBuffer) || mem.mappedWord.byteLength !== 8) {
    throw new TypeError(`adoptMemory: mappedWord must be the booting machine's 8-byte shared mapped-size word (describeSharedMachine() gives it), got ${describe(mem.mappedWord)}`);
  }
  for (const cpu of mem.online) m.checkCpu(cpu, 'adoptMemory: online mask');
  // Linking is the last check. It lays out the statics exactly as boot() would
  // (link() is idempotent), so after a refusal the machine is still unbooted and
  // could boot on its own memory.
  const mine = m.linker.link();
  const theirs = layout.static.entries;
  const n = Math.max(mine.entries.length, theirs.length);
  for (let i = 0; i < n; i++) {
    const a = mine.entries[i];
    const b = theirs[i];
    if (a === undefined || b === undefined || !sameEntry(a, b)) {
      const here = a ? `${a.name} (${a.type}) at 0x${a.offset.toString(16)}` : 'nothing';
      const there = b ? `${b.name} (${b.type}) at 0x${b.offset.toString(16)}` : 'nothing';
      throw new MachineStateError(
        `adoptMemory: static per-CPU variable #${i} differs: ${here} in this thread, ${there} in the booting thread; define the same statics in the same order before attaching`,
      );
    }
  }

  const buffer = mem.buffer;
  const own = (name: string, value: unknown): void => {
    Object.defineProperty(m, name, { value, writable: true, enumerable: true, configurable: true });
  };
  own('u8', new Uint8Array(buffer));
  own('u16', new Uint16Array(buffer, 0, buffer.byteLength >>> 1));
  own('u32', new Uint32Array(buffer, 0, buffer.byteLength >>> 2));
  own('u64', new BigUint64Array(buffer, 0, buffer.byteLength >>> 3));
  own('view', new DataView(buffer));
  m.buffer = buffer;
  m.mappedWord = new BigInt64Array(mem.mappedWord);
  m.perCpuOffset.set(mem.perCpuOffset);
  m.percpuBaseReg.set(mem.percpuBaseReg);
  for (let cpu = 0; cpu < m.nrCpus; cpu++) m.online.clear(cpu);
  for (const cpu of mem.online) m.online.set(cpu);
  m.layout = Object.freeze({ ...layout, static: mine });
  m.bootLog.push(
    `percpu: adopted shared memory (${buffer.byteLength} bytes, ${m.mappedBytes} mapped) u${layout.unitSize} s${layout.staticSize} r${layout.reservedSize} d${layout.dynamicSize}`,
  );
  m.systemState = 'running';
  m[`tag_${m.arch}`] = m.id * 16;
  m.loadCpu(0);
  pcpu_allocator_elsewhere(m, 'the booting thread');
}
