/**
 * The simulated machine: CPUs with their per-CPU units, one GS base register per
 * CPU, a little-endian byte-addressed memory, and the running context.
 *
 * Memory map: page 0 is left unmapped (a null page); the first chunk starts at
 * PCPU_BASE and holds one unit per CPU, each `< static | reserved | dynamic >`.
 * `__per_cpu_start` is 0 (the zero-based model of x86-64 before v6.15), so a
 * static symbol's per-CPU pointer is its offset in `.data..percpu`, and
 *
 *   GS base of cpu == __per_cpu_offset[cpu] == per_cpu(this_cpu_off, cpu)
 *                  == PCPU_BASE + cpu * unit_size
 *
 * Generated ops read the running CPU's GS base from `m.gs` and memory through the
 * typed views `m.u8 … m.u64`, which exist from boot on.
 */
import { ctypes } from '../c/kernel-types.js';
import type { TypeScope } from '../c/scope.js';
import { Cpumask } from './lib/cpumask.js';
import type { PerMachine } from './per-machine.js';
import { MachineStateError } from './errors.js';
import { PercpuLinker, PAGE_SIZE, alignUp, type StaticLayout } from './linker.js';
import { typedOps, type PerCpuPtr } from './percpu-ptr.js';
import { ARCHES, type Arch } from './arch.js';
import { readBits, writeBits } from './scalar-bits.js';
import { describe, fromBits, scalarInfo, toBits, type ScalarInfo, type ScalarName } from './types.js';

export { ARCHES, type Arch } from './arch.js';

export { readBits, writeBits };

/** NR_CPUS of the simulation. */
export const NR_CPUS_MAX = 8192;
/** PCPU_MIN_UNIT_SIZE: a unit is at least 32 KiB. */
export const PCPU_MIN_UNIT_SIZE = 32 << 10;
/** PERCPU_MODULE_RESERVE: the reserved region for module static per-CPU data. */
export const PERCPU_MODULE_RESERVE = 8 << 10;
/** PERCPU_DYNAMIC_RESERVE on 64-bit: the first chunk's dynamic region. */
export const PERCPU_DYNAMIC_RESERVE = 28 << 10;
/** Address of the first chunk. */
export const PCPU_BASE = PAGE_SIZE;
/**
 * The most memory a machine can have: 4 GiB. Generated ops index memory with
 * 32-bit unsigned arithmetic (`(m.gs + pcp.off) >>> 2`), and Node 20's typed
 * arrays hold at most 2^32 elements, so every address must be below 2^32: the
 * first chunk (the null page + cpus × unit size) and every chunk after it.
 */
export const MAX_MEMORY_BYTES = 2 ** 32;
/** EFLAGS.IF, the bit local_irq_save() reports. */
export const X86_EFLAGS_IF = 0x200;

/** Options of `new Machine(options)`; every one is checked at construction. */
export interface MachineOptions {
  /** Number of possible CPUs, 1 to 8192 (default 4). */
  cpus?: number;
  /** Architecture whose per-CPU register the CPUs have (default x86_64). */
  arch?: Arch;
  /**
   * Bytes per unit; a multiple of 4096, at least 32 KiB, with room for static +
   * reserved + a dynamic region of at least a page. cpus × unitSize + 4096 (the
   * null page) must not exceed 4 GiB (MAX_MEMORY_BYTES).
   */
  unitSize?: number;
  /** Reserved region (module statics), a multiple of 4, default 8 KiB. */
  reservedSize?: number;
  /** Dynamic region of the first chunk, a multiple of 4 and at least a page, default 28 KiB. Not with unitSize. */
  dynamicSize?: number;
  /** CONFIG_DEBUG_PREEMPT plus use-after-free tracking of per-CPU pointers (default true). */
  debug?: boolean;
  /** Back memory with a SharedArrayBuffer of this many bytes (the real-threads machine), at most 4 GiB. */
  sharedMemoryBytes?: number;
  /**
   * CONFIG_PREEMPT_RT: spinlock_t and local_lock_t become per-CPU sleeping locks
   * that only disable migration, and interrupt handlers run in threads (default false).
   */
  preemptRT?: boolean;
}

const OPTION_NAMES: readonly (keyof MachineOptions)[] = ['cpus', 'arch', 'unitSize', 'reservedSize', 'dynamicSize', 'debug', 'sharedMemoryBytes', 'preemptRT'];

/**
 * Checks every option and returns a frozen copy. Each is checked on its own
 * here; what depends on the statics (room for the dynamic region, the memory
 * limit) is checked by the constructor and again at boot.
 */
function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

function checkOptions(options: unknown): Readonly<MachineOptions> {
  if (options === undefined) return Object.freeze({});
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`Machine: options must be an object such as { cpus: 4 }, or nothing, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!(OPTION_NAMES as readonly string[]).includes(key)) {
      throw new TypeError(`Machine: unknown option ${JSON.stringify(key)}: the options are ${OPTION_NAMES.join(', ')}`);
    }
  }
  const o = options as Record<keyof MachineOptions, unknown>;
  const { cpus, arch, unitSize, reservedSize, dynamicSize, debug, sharedMemoryBytes, preemptRT } = o;
  if (cpus !== undefined && (!isInt(cpus) || cpus < 1 || cpus > NR_CPUS_MAX)) {
    throw new RangeError(`Machine: cpus must be an integer from 1 to ${NR_CPUS_MAX}, got ${describe(cpus)}`);
  }
  if (arch !== undefined && !(ARCHES as readonly unknown[]).includes(arch)) {
    throw new TypeError(`Machine: unknown arch ${describe(arch)}: expected one of ${ARCHES.join(', ')}`);
  }
  if (unitSize !== undefined && (!isInt(unitSize) || unitSize % PAGE_SIZE !== 0 || unitSize < PCPU_MIN_UNIT_SIZE)) {
    throw new RangeError(`Machine: unitSize must be a multiple of ${PAGE_SIZE} and at least ${PCPU_MIN_UNIT_SIZE} (PCPU_MIN_UNIT_SIZE), got ${describe(unitSize)}`);
  }
  if (reservedSize !== undefined && (!isInt(reservedSize) || reservedSize < 0 || reservedSize % 4 !== 0)) {
    throw new RangeError(`Machine: reservedSize must be a non-negative multiple of 4, got ${describe(reservedSize)}`);
  }
  if (dynamicSize !== undefined) {
    if (!isInt(dynamicSize) || dynamicSize < PAGE_SIZE || dynamicSize % 4 !== 0) {
      throw new RangeError(`Machine: dynamicSize must be a multiple of 4 and at least ${PAGE_SIZE}, got ${describe(dynamicSize)}`);
    }
    if (unitSize !== undefined) {
      throw new TypeError('Machine: give unitSize or dynamicSize, not both: with unitSize the dynamic region is what the unit leaves after static and reserved');
    }
  }
  if (debug !== undefined && typeof debug !== 'boolean') {
    throw new TypeError(`Machine: debug must be true or false, got ${describe(debug)}`);
  }
  if (sharedMemoryBytes !== undefined && (!isInt(sharedMemoryBytes) || sharedMemoryBytes < 1 || sharedMemoryBytes > MAX_MEMORY_BYTES)) {
    throw new RangeError(`Machine: sharedMemoryBytes must be an integer from 1 to ${MAX_MEMORY_BYTES} (4 GiB), got ${describe(sharedMemoryBytes)}`);
  }
  if (preemptRT !== undefined && typeof preemptRT !== 'boolean') {
    throw new TypeError(`Machine: preemptRT must be true or false, got ${describe(preemptRT)}`);
  }
  return Object.freeze({ cpus, arch, unitSize, reservedSize, dynamicSize, debug, sharedMemoryBytes, preemptRT } as MachineOptions);
}

/**
 * The running context: a task, or a softirq, hardirq or NMI handler nested on a
 * CPU over it (in that order, as the kernel nests them).
 */
export interface ExecContext {
  comm: string;
  pid: number;
  kind: 'task' | 'softirq' | 'irq' | 'nmi';
  /**
   * preempt_count() as include/linux/preempt.h lays it out: preempt_disable()
   * nesting in bits 0-7, softirq (SOFTIRQ_OFFSET serving, SOFTIRQ_DISABLE_OFFSET
   * per local_bh_disable) in 8-15, hardirq in 16-19, NMI in 20-23. A nested
   * handler's count is the interrupted context's plus its own offset.
   */
  preemptCount: number;
  /** Interrupts disabled on the CPU this context runs on (EFLAGS.IF clear). */
  irqsDisabled: boolean;
  /** A per-CPU kthread bound to its CPU (is_percpu_thread()): never migrated. */
  pinned: boolean;
  /** current->migration_disabled: migrate_disable() nesting; preemptible, but never migrated. */
  migrationDisabled: number;
  /** The C source line translated code is executing (`file.c:12`), shown in traces next to each step. */
  src?: string;
}

/** The first chunk's unit layout after boot: static, reserved and dynamic sizes, as pcpu_setup_first_chunk() logs them. */
export interface FirstChunkLayout {
  readonly staticSize: number;
  readonly reservedSize: number;
  readonly dynamicSize: number;
  readonly unitSize: number;
  readonly base: number;
  readonly static: StaticLayout;
}

export type SystemState = 'booting' | 'running';

let machines = 0;

/**
 * Checks that a function was given a Machine: every exported function taking
 * one starts here (cold paths only), so a wrong argument is named in the
 * error instead of surfacing as a native "Cannot read properties of …".
 */
export function machineArg(m: unknown, what: string): Machine {
  if (!(m instanceof Machine)) throw new TypeError(`${what}: expected a Machine (new Machine({ cpus })), got ${describe(m)}`);
  return m;
}

/**
 * Memory of retired machines, by size, for the next boot of the same size: a
 * fresh ArrayBuffer of a first chunk (68 KiB for 2 CPUs) costs tens of
 * microseconds to allocate and collect, which dominated the explorer's
 * per-schedule cost (it boots one machine per schedule). A few suffice.
 */
const spareMemory: Views[] = [];
const SPARE_MEMORY_MAX = 8;

/** A memory buffer and the views every access goes through. */
interface Views {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly u32: Uint32Array;
  readonly u64: BigUint64Array;
  readonly view: DataView;
}

function viewsOf(buffer: ArrayBuffer | SharedArrayBuffer): Views {
  return {
    buffer,
    u8: new Uint8Array(buffer),
    u16: new Uint16Array(buffer, 0, Math.floor(buffer.byteLength / 2)),
    u32: new Uint32Array(buffer, 0, Math.floor(buffer.byteLength / 4)),
    u64: new BigUint64Array(buffer, 0, Math.floor(buffer.byteLength / 8)),
    view: new DataView(buffer),
  };
}

/** Zeroed memory of `bytes` with its views: a retired machine's, or new. */
function takeMemory(bytes: number): Views {
  for (let i = spareMemory.length - 1; i >= 0; i--) {
    const v = spareMemory[i]!;
    if (v.buffer.byteLength !== bytes) continue;
    spareMemory.splice(i, 1);
    v.u8.fill(0);
    return v;
  }
  return viewsOf(new ArrayBuffer(bytes));
}

/** Gives the machine its own memory view (shadowing the prototype's "not booted" getter). */
function own(m: Machine, name: string, value: unknown): void {
  Object.defineProperty(m, name, { value, writable: true, enumerable: true, configurable: true });
}

function notBooted(): never {
  throw new MachineStateError('per-CPU memory is not set up yet: call m.boot() (setup_per_cpu_areas) first');
}

/** A simulated multi-CPU machine: byte-addressed memory, the per-CPU areas and each CPU's per-CPU base register, the executing context (CPU, preempt count, interrupts) and CPU hotplug. */
export class Machine {
  /** A number for messages (`machine #2`): which machine a foreign pointer came from. */
  readonly id = ++machines;
  readonly nrCpus: number;
  readonly arch: Arch;
  /** CONFIG_DEBUG_PREEMPT: __this_cpu_*() and smp_processor_id() check the context. */
  debugPreempt: boolean;
  /** Detect use of freed per-CPU pointers. */
  debugFree: boolean;
  /** CONFIG_PREEMPT_RT (fixed at construction: it decides what a lock is). */
  readonly preemptRT: boolean;
  /**
   * The machine's C type scope: the kernel's types for its configuration, and
   * the structs you define with `m.ctypes.struct(…)` (by tag afterwards).
   */
  readonly ctypes: TypeScope;
  /** Run at the end of boot (memory set up): ordinary memory lays out its globals here. */
  private readonly bootHooks: ((m: Machine) => void)[] = [];
  /**
   * @internal What the kernel's subsystems keep for this machine (the per-CPU
   * allocator, kmalloc and KASAN, locks, lockdep, hotplug, softirqs, ghosts),
   * by PerMachine slot: held by the machine, not in module-level WeakMaps, so
   * that everything a machine is can be reached from it (a snapshot restores
   * it, see src/snapshot.ts).
   */
  readonly attached = new Map<PerMachine<unknown>, unknown>();

  /** Number of the CPU executing now (raw_smp_processor_id() without the per-CPU read). */
  cpu = 0;
  /** The executing CPU's GS base register (x86-64): what `%gs:` adds. */
  gs = NaN;
  /** The executing CPU's TPIDR_EL1 (arm64): the per-CPU offset `mrs` reads. */
  tpidr_el1 = NaN;
  /** The running context. */
  ctx: ExecContext;

  /**
   * What the generated ops of each architecture compare their pointer's tag
   * with (PerCpuPtr.tag, `id × 16` plus the offset's low bits): `id × 16` on
   * the machine's own architecture once it has booted, 0 (no pointer's tag)
   * otherwise. So the one check every op makes first, for width 4
   * `(pcp.tag & -13) !== m.tag_x86_64`, refuses before anything is touched a
   * non-pointer, a freed pointer, a pointer of another machine, an op of
   * another architecture, a machine without per-CPU memory and a misaligned
   * pointer (badPointer() in percpu-ptr.ts tells them apart, off the hot path).
   */
  tag_x86_64 = 0;
  tag_arm64 = 0;
  tag_generic = 0;

  /** `__per_cpu_offset[cpu]`. */
  readonly perCpuOffset: Float64Array;
  /** Each CPU's MSR_GS_BASE (x86-64) or TPIDR_EL1 (arm64), loaded at boot. */
  readonly percpuBaseReg: Float64Array;

  readonly possible: Cpumask;
  readonly present: Cpumask;
  readonly online: Cpumask;

  readonly linker: PercpuLinker;
  systemState: SystemState = 'booting';
  layout: FirstChunkLayout | null = null;
  readonly bootLog: string[] = [];
  buffer: ArrayBuffer | SharedArrayBuffer | null = null;
  /**
   * On shared memory, the word that holds the mapped size, itself shared: every
   * thread's machine attached to the memory sees a chunk the booting thread maps
   * later (a private machine keeps the size in a plain field).
   */
  mappedWord: BigInt64Array | null = null;
  /** The mapped size of a private machine (a plain field, not `#`: a snapshot sees every field; see src/snapshot.ts). */
  private mappedLocal = 0;
  /**
   * How far src/mm/access.ts's sized loads and stores reach without a further
   * check: mappedBytes as this thread last saw it, but no further than the
   * lowest freed kmalloc() object in KASAN's quarantine (quarantineLow). An
   * access past it goes through load()/store(), whose checks refresh it.
   */
  accessEnd = 0;
  /** @internal The lowest address of a freed object in KASAN's quarantine (src/mm/memory.ts); Infinity while it is empty. */
  quarantineLow = Infinity;
  /** @internal KASAN's check of an access at or past quarantineLow (src/mm/memory.ts): the error to throw, or null. */
  kasan: ((addr: number, size: number, write: boolean, what: string) => Error | null) | null = null;

  /** The per-CPU variables every x86-64 kernel defines for itself. */
  readonly this_cpu_off: PerCpuPtr<'ulong'>;
  readonly cpu_number: PerCpuPtr<'i32'>;

  declare u8: Uint8Array;
  declare u16: Uint16Array;
  declare u32: Uint32Array;
  declare u64: BigUint64Array;
  declare view: DataView;

  /** A copy of the options, checked: changing the caller's object later changes nothing here. */
  private readonly options: Readonly<MachineOptions>;

  constructor(options?: MachineOptions) {
    const o = checkOptions(options);
    const cpus = o.cpus ?? 4;
    const arch = o.arch ?? 'x86_64';
    this.nrCpus = cpus;
    this.arch = arch;
    this.options = o;
    this.debugPreempt = o.debug ?? true;
    this.debugFree = o.debug ?? true;
    this.preemptRT = o.preemptRT ?? false;
    this.ctypes = ctypes({ preemptRT: this.preemptRT });
    this.linker = new PercpuLinker(this, (t) => typedOps(arch, t));
    this.ctx = { comm: 'init', pid: 1, kind: 'task', preemptCount: 0, irqsDisabled: false, pinned: false, migrationDisabled: 0 };
    this.perCpuOffset = new Float64Array(cpus).fill(NaN);
    this.percpuBaseReg = new Float64Array(cpus).fill(NaN);
    this.possible = new Cpumask(cpus);
    this.present = new Cpumask(cpus);
    this.online = new Cpumask(cpus);
    for (let c = 0; c < cpus; c++) {
      this.possible.set(c);
      this.present.set(c);
    }
    // x86-64 defines both as cache-hot per-CPU variables (v6.15+).
    this.this_cpu_off = this.linker.define(
      { macro: 'DEFINE_PER_CPU_CACHE_HOT', subsection: '..hot', minAlign: 1 }, 'ulong', 'this_cpu_off', undefined,
    ).ptr as PerCpuPtr<'ulong'>;
    this.cpu_number = this.linker.define(
      { macro: 'DEFINE_PER_CPU_CACHE_HOT', subsection: '..hot', minAlign: 1 }, 'i32', 'cpu_number', undefined,
    ).ptr as PerCpuPtr<'i32'>;
    // With nothing else defined yet this is the smallest first chunk the options allow: refuse now
    // what boot() could never map. Without a size option it is the default unit (40 KiB) on at most
    // NR_CPUS_MAX CPUs, always mappable, so the check (a layout of the section) is skipped: the
    // explorer makes a machine per schedule.
    if (o.unitSize !== undefined || o.reservedSize !== undefined || o.dynamicSize !== undefined || o.sharedMemoryBytes !== undefined) this.firstChunk('Machine');
  }

  /**
   * What this machine reaches but shares, read-only, with every machine of its
   * configuration (the kernel's C type scope): not part of its state, so a
   * snapshot (src/snapshot.ts) leaves it out.
   */
  shared(): object[] {
    return this.ctypes.parent === null ? [] : [this.ctypes.parent];
  }

  get booted(): boolean {
    return this.layout !== null;
  }

  /** Bytes mapped so far (the first chunk, then dynamic chunks). */
  get mappedBytes(): number {
    const w = this.mappedWord;
    return w === null ? this.mappedLocal : Number(Atomics.load(w, 0));
  }

  set mappedBytes(bytes: number) {
    const w = this.mappedWord;
    if (w === null) this.mappedLocal = bytes;
    else Atomics.store(w, 0, BigInt(bytes));
    this.accessEnd = Math.min(bytes, this.quarantineLow);
  }

  /** @internal src/mm/memory.ts: the quarantine's lowest address changed (Infinity: it is empty). */
  setQuarantineLow(low: number): void {
    this.quarantineLow = low;
    this.accessEnd = Math.min(this.mappedBytes, low);
  }

  /**
   * The first chunk's geometry for the statics defined so far, checked against
   * the options and the memory limit. Pure: boot() calls it before it changes
   * anything, the constructor to refuse impossible options early.
   */
  private firstChunk(what: string): { stat: StaticLayout; staticSize: number; reservedSize: number; dynamicSize: number; unitSize: number; total: number } {
    const stat = this.linker.layout();
    const staticSize = alignUp(stat.size, 4);
    const reservedSize = this.options.reservedSize ?? PERCPU_MODULE_RESERVE;
    let unitSize: number;
    if (this.options.unitSize !== undefined) {
      unitSize = this.options.unitSize;
      if (unitSize - staticSize - reservedSize < PAGE_SIZE) {
        throw new RangeError(
          `${what}: unitSize ${unitSize} leaves no room for the dynamic region: static ${staticSize} + reserved ${reservedSize} + dynamic (at least ${PAGE_SIZE}) > ${unitSize}`,
        );
      }
    } else {
      unitSize = Math.max(PCPU_MIN_UNIT_SIZE, alignUp(staticSize + reservedSize + (this.options.dynamicSize ?? PERCPU_DYNAMIC_RESERVE), PAGE_SIZE));
    }
    const total = PCPU_BASE + this.nrCpus * unitSize;
    if (total > MAX_MEMORY_BYTES) {
      throw new RangeError(
        `${what}: ${this.nrCpus} CPUs × unit size ${unitSize} + the ${PCPU_BASE}-byte null page = ${total} bytes, over the simulated machine's memory limit of ${MAX_MEMORY_BYTES} bytes (4 GiB): use fewer CPUs or smaller units`,
      );
    }
    const shared = this.options.sharedMemoryBytes;
    if (shared !== undefined && shared < total) {
      throw new RangeError(`${what}: sharedMemoryBytes ${shared} is smaller than the first chunk (${total} bytes)`);
    }
    return { stat, staticSize, reservedSize, dynamicSize: unitSize - staticSize - reservedSize, unitSize, total };
  }

  /**
   * setup_per_cpu_areas(): links `.data..percpu`, builds the first chunk, copies
   * the section into every CPU's unit, fills `__per_cpu_offset`, `this_cpu_off`
   * and `cpu_number`, and loads every CPU's GS base. CPU 0 (the boot CPU) runs.
   * Everything that can fail (the layout, the sizes, the memory itself) happens
   * before the first change: a refused boot leaves the machine as it was, its
   * statics unlinked and still open to DEFINE_PER_CPU.
   */
  boot(): this {
    if (this.booted) throw new MachineStateError('boot: the machine has already booted');
    const { staticSize, reservedSize, dynamicSize, unitSize, total } = this.firstChunk('boot');
    const shared = this.options.sharedMemoryBytes;
    const memory = shared !== undefined ? viewsOf(new SharedArrayBuffer(shared)) : takeMemory(total);
    const stat = this.linker.link();
    this.setMemory(memory);
    if (shared !== undefined) this.mappedWord = new BigInt64Array(new SharedArrayBuffer(8));
    this.mappedBytes = total;

    // The section template: every variable's initial value at its offset.
    const template = new Uint8Array(staticSize);
    const tv = new DataView(template.buffer);
    for (const d of this.linker.definitions()) {
      if (d.initBytes !== null) template.set(d.initBytes, d.ptr.off);
      else if (d.type !== null) writeBits(tv, d.ptr.off, d.type, d.init);
    }

    for (let cpu = 0; cpu < this.nrCpus; cpu++) {
      const base = PCPU_BASE + cpu * unitSize;
      this.u8.set(template, base);
      this.perCpuOffset[cpu] = base;
      this.view.setBigUint64(base + this.this_cpu_off.off, BigInt(base), true);
      this.view.setInt32(base + this.cpu_number.off, cpu, true);
      // x86-64: wrmsr(MSR_GS_BASE); arm64: set_my_cpu_offset(), msr tpidr_el1. asm-generic has no
      // register: raw_cpu_ptr() indexes __per_cpu_offset[] by the CPU number, so it stays NaN.
      this.percpuBaseReg[cpu] = this.arch === 'generic' ? NaN : base;
      this.online.set(cpu);
    }
    this.layout = { staticSize, reservedSize, dynamicSize, unitSize, base: PCPU_BASE, static: stat };
    const pages = unitSize / PAGE_SIZE;
    this.bootLog.push(
      `percpu: Embedded ${pages} pages/cpu s${staticSize} r${reservedSize} d${dynamicSize} u${unitSize}`,
      `pcpu-alloc: s${staticSize} r${reservedSize} d${dynamicSize} u${unitSize} alloc=1*${unitSize}`,
      `pcpu-alloc: [0] ${cpuList(this.nrCpus)}`,
    );
    this.systemState = 'running';
    this[`tag_${this.arch}`] = this.id * 16;
    this.loadCpu(0);
    for (const hook of this.bootHooks) hook(this);
    return this;
  }

  /** Registers `hook` to run when the machine boots (now, if it has). */
  onBoot(hook: (m: Machine) => void): void {
    if (this.booted) hook(this);
    else this.bootHooks.push(hook);
  }

  /** Replaces the memory and its views (boot, and when a new chunk is mapped). */
  /**
   * The owner is done with this machine for good (the explorer, after a
   * schedule): its memory may back the next machine that boots with the same
   * size. Afterwards every memory access of this machine throws as before
   * boot, so a stale reference cannot touch the new owner's memory.
   */
  retire(): void {
    const b = this.buffer;
    if (b === null) return;
    const views: Views = { buffer: b, u8: this.u8, u16: this.u16, u32: this.u32, u64: this.u64, view: this.view };
    for (const name of ['u8', 'u16', 'u32', 'u64', 'view']) delete (this as Record<string, unknown>)[name];
    this.buffer = null;
    this.mappedBytes = 0;
    this.tag_x86_64 = this.tag_arm64 = this.tag_generic = 0;
    if (!(b instanceof ArrayBuffer) || spareMemory.length >= SPARE_MEMORY_MAX) return;
    spareMemory.push(views);
  }

  private setMemory(memory: Views): void {
    this.buffer = memory.buffer;
    own(this, 'u8', memory.u8);
    own(this, 'u16', memory.u16);
    own(this, 'u32', memory.u32);
    own(this, 'u64', memory.u64);
    own(this, 'view', memory.view);
  }

  /**
   * Maps `bytes` more memory (page-aligned, zeroed) for a new chunk and returns
   * its base address, or null when there is none: past the 4 GiB limit, past
   * the size a shared memory was created with, or when the host cannot
   * allocate the larger buffer (the allocator then fails the request as the
   * kernel does when pcpu_create_chunk() fails). Memory grows by copying into
   * a larger buffer.
   */
  mapArea(bytes: number): number | null {
    if (!this.booted) notBooted();
    const base = alignUp(this.mappedBytes, PAGE_SIZE);
    const end = base + alignUp(bytes, PAGE_SIZE);
    const buf = this.buffer!;
    if (end > MAX_MEMORY_BYTES) return null;
    if (end > buf.byteLength) {
      if (buf instanceof SharedArrayBuffer) return null;
      let grown: ArrayBuffer;
      try {
        grown = new ArrayBuffer(Math.min(MAX_MEMORY_BYTES, Math.max(end, Math.min(buf.byteLength * 2, end + (64 << 20)))));
      } catch (e) {
        if (e instanceof RangeError) return null; // "Array buffer allocation failed"
        throw e;
      }
      new Uint8Array(grown).set(this.u8);
      this.setMemory(viewsOf(grown));
    }
    this.u8.fill(0, base, end);
    this.mappedBytes = end;
    return base;
  }

  /** Checks a CPU number: an integer naming one of this machine's possible CPUs. */
  checkCpu(cpu: unknown, what: string): number {
    if (typeof cpu !== 'number' || !Number.isInteger(cpu) || cpu < 0 || cpu >= this.nrCpus) {
      throw new RangeError(`${what}: invalid CPU ${describe(cpu)}: this machine has CPUs 0-${this.nrCpus - 1}`);
    }
    return cpu;
  }

  /**
   * Makes `cpu` the executing CPU: its number and its architecture's per-CPU
   * register (the other architecture's register stays NaN, so an op of the
   * wrong architecture addresses no memory instead of a plausible copy).
   */
  loadCpu(cpu: number): void {
    this.cpu = cpu;
    if (this.arch === 'x86_64') {
      this.gs = this.percpuBaseReg[cpu];
    } else if (this.arch === 'arm64') {
      this.tpidr_el1 = this.percpuBaseReg[cpu];
    }
  }

  /** Why the running context may not leave its CPU now, or null if it may. */
  pinnedReason(): string | null {
    const c = this.ctx;
    if (c.kind === 'irq') return `an interrupt handler (${c.comm}) runs on cpu ${this.cpu}`;
    if (c.kind === 'softirq') return `a softirq handler (${c.comm}) runs on cpu ${this.cpu}`;
    if (c.kind === 'nmi') return `an NMI handler (${c.comm}) runs on cpu ${this.cpu}`;
    if (c.preemptCount > 0) return `preemption is disabled on cpu ${this.cpu} (preempt_count ${c.preemptCount})`;
    if (c.irqsDisabled) return `interrupts are disabled on cpu ${this.cpu}`;
    if (c.pinned) return `${c.comm}/${c.pid} is a per-CPU thread bound to cpu ${this.cpu}`;
    if (c.migrationDisabled > 0) return `${c.comm}/${c.pid} has migration disabled (migrate_disable)`;
    return null;
  }

  /**
   * Moves the running context to another CPU, reloading the GS base: what the
   * scheduler does when it migrates a task. Refused while preemption or
   * interrupts are disabled — that is what makes a CPU guard mean something.
   */
  migrate(cpu: number): void {
    this.checkCpu(cpu, 'migrate');
    if (!this.booted) notBooted();
    if (cpu === this.cpu) return;
    const why = this.pinnedReason();
    if (why !== null) {
      throw new MachineStateError(`migrate to cpu ${cpu} refused: ${why}; the context must stay on its CPU until that ends`);
    }
    if (!this.online.test(cpu)) throw new MachineStateError(`migrate: cpu ${cpu} is offline`);
    this.loadCpu(cpu);
  }

  /**
   * Runs `fn` with `cpu` as the executing CPU (its GS base loaded), then returns
   * the context to the CPU it came from, or to the first online CPU if `fn`
   * took that one offline. `fn` must leave preemption and interrupts as it
   * found them.
   */
  runOn<R>(cpu: number, fn: (m: this) => R): R {
    this.checkCpu(cpu, 'runOn');
    if (!this.booted) notBooted();
    if (typeof fn !== 'function') throw new TypeError(`runOn: fn must be a function, got ${describe(fn)}`);
    if (!this.online.test(cpu)) throw new MachineStateError(`runOn: cpu ${cpu} is offline`);
    const from = this.cpu;
    if (cpu !== from) {
      const why = this.pinnedReason();
      if (why !== null) throw new MachineStateError(`runOn(cpu ${cpu}) refused: ${why}; running elsewhere would migrate the context`);
    }
    const ctx = this.ctx;
    const count = ctx.preemptCount;
    const irqs = ctx.irqsDisabled;
    this.loadCpu(cpu);
    let result: R;
    try {
      result = fn(this);
    } catch (e) {
      ctx.preemptCount = count;
      ctx.irqsDisabled = irqs;
      throw e;
    } finally {
      this.ctx = ctx;
      // If fn took `from` offline, the context cannot go back: the kernel pushes every task off a
      // dying CPU to select_fallback_rq()'s pick, the first allowed online CPU of its node
      // (balance_push(), kernel/sched/core.c, v5.11+; migrate_tasks() from sched_cpu_dying() before).
      this.loadCpu(this.online.test(from) ? from : this.online.toArray()[0]);
    }
    if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
      throw new TypeError('runOn: fn returned a promise; a simulated CPU cannot be held across an await, pass a synchronous function');
    }
    if (ctx.preemptCount !== count || ctx.irqsDisabled !== irqs) {
      const found = `preempt_count ${ctx.preemptCount}, irqs ${ctx.irqsDisabled ? 'off' : 'on'}`;
      const want = `preempt_count ${count}, irqs ${irqs ? 'off' : 'on'}`;
      ctx.preemptCount = count;
      ctx.irqsDisabled = irqs;
      throw new MachineStateError(`runOn(cpu ${cpu}): fn returned with ${found} (entered with ${want}): an unbalanced preempt_disable/local_irq_save`);
    }
    return result;
  }

  /** Address of `cpu`'s copy of a per-CPU pointer: per_cpu_ptr() without the checks. */
  addressOf(p: PerCpuPtr<unknown>, cpu: number): number {
    const off = (p as PerCpuPtr<unknown> | null | undefined)?.off;
    if (off === undefined) throw new TypeError(`addressOf: expected a per-CPU pointer, got ${describe(p)}`);
    return off + this.perCpuOffset[cpu];
  }

  /** Reads a scalar of type `t` at a plain address (bounds and alignment checked). */
  load(addr: number, t: ScalarName | ScalarInfo): number | bigint | boolean {
    const ti = t !== null && typeof t === 'object' ? scalarInfo(t.name, 'load') : scalarInfo(t, 'load');
    this.checkAccess(addr, ti, 'load');
    return fromBits(ti, readBits(this.view, addr, ti));
  }

  /** Writes a scalar of type `t` at a plain address; the value wraps as a C conversion does. */
  store(addr: number, t: ScalarName | ScalarInfo, value: number | bigint | boolean): void {
    const ti = t !== null && typeof t === 'object' ? scalarInfo(t.name, 'store') : scalarInfo(t, 'store');
    this.checkAccess(addr, ti, 'store');
    writeBits(this.view, addr, ti, toBits(ti, checkValueKind(ti, value, 'store')));
  }

  private checkAccess(addr: unknown, t: ScalarInfo, what: string): void {
    if (!this.booted) notBooted();
    if (typeof addr !== 'number' || !Number.isInteger(addr)) {
      throw new TypeError(`${what}: address must be an integer, got ${describe(addr)}`);
    }
    if (addr < PCPU_BASE || addr + t.size > this.mappedBytes) {
      throw new RangeError(`${what}: address 0x${addr.toString(16)} is outside mapped per-CPU memory [0x${PCPU_BASE.toString(16)}, 0x${this.mappedBytes.toString(16)})`);
    }
    if (addr % t.align !== 0) {
      throw new RangeError(`${what}: address 0x${addr.toString(16)} is not ${t.align}-byte aligned for ${t.name}`);
    }
    if (addr + t.size > this.quarantineLow) {
      const e = this.kasan?.(addr, t.size, what === 'store', what);
      if (e) throw e;
    } else {
      // Memory another thread mapped since, or a quarantine that emptied: the sized accesses may reach it directly.
      this.accessEnd = Math.min(this.mappedBytes, this.quarantineLow);
    }
  }
}

/** Checks a value against a type's TS kind (number, bigint, boolean) — not its range. */
export function checkValueKind(t: ScalarInfo, value: unknown, what: string): number | bigint | boolean {
  if (t.name === 'bool') {
    if (typeof value !== 'boolean') throw new TypeError(`${what}: bool takes true or false, got ${describe(value)}`);
  } else if (t.size >= 8) {
    if (typeof value !== 'bigint') throw new TypeError(`${what}: ${t.name} takes a bigint, got ${describe(value)}`);
  } else if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${what}: ${t.name} takes an integer number, got ${describe(value)}`);
  }
  return value as number | bigint | boolean;
}

/** Memory views exist only after boot; before that, any access says so. */
for (const view of ['u8', 'u16', 'u32', 'u64', 'view']) {
  Object.defineProperty(Machine.prototype, view, { get: notBooted, configurable: true });
}

/** The boot log's CPU lists by CPU count (the explorer boots a machine per schedule). */
const cpuLists: string[] = [];

function cpuList(n: number): string {
  return cpuLists[n] ??= formatCpuList(n);
}

function formatCpuList(n: number): string {
  const out: string[] = [];
  for (let c = 0; c < n && c < 16; c++) out.push(String(c));
  return n > 16 ? `${out.join(' ')} … ${n - 1}` : out.join(' ');
}

