/**
 * Steps: what a task yields at each preemption point.
 *
 * A step is announced BEFORE the instruction it stands for and performed when
 * the scheduler resumes the task, so the scheduler can preempt, migrate or
 * interrupt between any two instructions but never inside one. The generated
 * stepped ops (generated/x86_64/percpu-stepped.ts) yield an `Insn`
 * `{ asm, pcp }`, which is a Step; the helpers here make the steps that task
 * code spells out by hand: a plain load or store through an address taken with
 * this_cpu_ptr()/per_cpu_ptr(), a register-only instruction, or one call that
 * the scenario wants to treat as a single atomic step.
 *
 * Besides naming the instruction, a step says what it touches (its footprint),
 * which is all the explorer's reduction knows about it: two steps on different
 * CPUs whose footprints do not conflict commute. The footprint must therefore
 * cover everything the task does from the step until its next yield — task code
 * may compute on locals between yields but must touch shared memory only
 * through steps.
 */
import { formatInsn } from '../insn.js';
import { symbolAt } from '../symbols.js';
import { objectSymbolAt } from '../mm/memory.js';
import { checkValueKind, type Machine } from '../machine.js';
import type { PerCpuPtr } from '../percpu-ptr.js';
import { checkKPtr, type KPtr } from '../kptr.js';
import type { ScalarValue } from '../kernel/atomic.js';
import { describe, scalarInfo, type ScalarInfo, type ScalarName } from '../types.js';

/** What a step does to a location: read it, or write it (a read-modify-write counts as a write). */
export type AccessKind = 'r' | 'w';

/** One step a task yields to the scheduler: an instruction or a plain load/store, with the memory it touches. */
export interface Step {
  /** The instruction, AT&T syntax as in the family templates (`[var]` is the variable's offset). */
  readonly asm: string;
  /** A gs-relative operand: the step touches `pcp.off + __per_cpu_offset[cpu it runs on]`. */
  readonly pcp?: PerCpuPtr<unknown>;
  /** A plain address operand (what this_cpu_ptr()/per_cpu_ptr() returned). */
  readonly addr?: number;
  /** Bytes touched at `addr`/`pcp` (default: from the mnemonic's size suffix). */
  readonly size?: number;
  /** Read or write of the memory operand (default: a `mov` from memory reads, everything else writes). */
  readonly access?: AccessKind;
  /** Operand values of a generated op's instruction (`%[val]` …), shown in traces. */
  readonly val?: number | bigint;
  readonly oval?: number | bigint;
  readonly nval?: number | bigint;
  /** Shared resources outside per-CPU memory (a lock, an s64 count) the step reads. */
  readonly reads?: readonly string[];
  /** Shared resources outside per-CPU memory the step writes. */
  readonly writes?: readonly string[];
  /**
   * A blocking step (spin_lock on a held lock): the scheduler only runs it when
   * this returns true. It may look only at what the step's footprint covers.
   */
  readonly enabled?: () => boolean;
  /**
   * With `enabled`: a sleeping acquisition (a PREEMPT_RT lock). When it cannot
   * proceed the task blocks — it leaves its CPU to the next task of the runqueue
   * without using the preemption bound — and wakes when a step that writes what
   * this step touches makes it able to proceed.
   */
  readonly sleeps?: boolean;
  /**
   * Set by the op once the instruction ran, for the trace: the value it moved
   * (`3` for a load, `3 -> 4` for a store or read-modify-write). Without it the
   * scheduler shows the operand's bytes before and after, as the pointer's type
   * reads them.
   */
  moved?: string;
}

/** A task body or an interrupt handler: a generator that yields before each instruction. */
export type StepGen<R = void> = Generator<Step, R, undefined>;

/** One memory range or named resource a step touches. */
export interface Touch {
  /** First byte (memory) or -1 for a named resource. */
  readonly lo: number;
  /** One past the last byte (memory). */
  readonly hi: number;
  /** Named resource, or '' for memory. */
  readonly name: string;
  readonly write: boolean;
}

/**
 * Prefix of the scheduler's own resources: a CPU's run state (`sched:cpu:0`),
 * the preemption bound (`sched:bound`), a handler's budget (`sched:irq:tick`).
 * Task code cannot touch another CPU's run state or a budget.
 */
export const SCHED_RESOURCE = 'sched:';

/**
 * The named resource that conflicts with all memory and every named resource
 * except the scheduler's own: the footprint of a frame's first step, whose
 * code before its first yield may touch anything task code can touch (the
 * scheduler adds the frame's own CPU to it).
 */
export const ANY_RESOURCE = '*';

/** The footprint of code the scheduler cannot see in advance (a frame's start). */
export const ANY_TOUCH: Touch = { lo: 0, hi: Number.MAX_SAFE_INTEGER, name: ANY_RESOURCE, write: true };

const SUFFIX_SIZE: Record<string, number> = { b: 1, w: 2, l: 4, q: 8 };

/** Operand size from the mnemonic: `movl` → 4, `cmpxchg16b` → 16, unknown → 16 (conservative). */
export function mnemonicSize(asm: string): number {
  if (typeof asm !== 'string') throw new TypeError(`mnemonicSize: expected an instruction (a string such as "addl %[val], %gs:[var]"), got ${describe(asm)}`);
  return asmInfo(asm).size;
}

/** A `mov` whose source is the memory operand only reads it; every other memory instruction may write. */
export function mnemonicAccess(asm: string): AccessKind {
  if (typeof asm !== 'string') throw new TypeError(`mnemonicAccess: expected an instruction (a string such as "movl %gs:[var], %eax"), got ${describe(asm)}`);
  return asmInfo(asm).write ? 'w' : 'r';
}

/** What the mnemonic says of the memory operand: its size and whether it is written. */
interface AsmInfo {
  readonly size: number;
  readonly write: boolean;
}

/**
 * Parsed mnemonics by instruction text. Every step of a schedule asks for its
 * operand's size and access, and the texts are few (the ops' templates and the
 * scenarios' own lines), so each is parsed once; the cache is emptied if a
 * scenario makes too many distinct texts (addresses spelled into them).
 */
const asmInfos = new Map<string, AsmInfo>();
const ASM_INFOS_MAX = 4096;

function asmInfo(asm: string): AsmInfo {
  let info = asmInfos.get(asm);
  if (info !== undefined) return info;
  const op = asm.trimStart().split(/\s/, 1)[0] ?? '';
  const size = op.startsWith('cmpxchg16b') ? 16 : op.startsWith('cmpxchg8b') ? 8 : SUFFIX_SIZE[op.charAt(op.length - 1)] ?? 16;
  info = { size, write: !/^\s*mov[bwlq]?\s+(%gs:|%fs:|0x|\()/.test(asm) };
  if (asmInfos.size >= ASM_INFOS_MAX) asmInfos.clear();
  asmInfos.set(asm, info);
  return info;
}

/** The bytes a step's memory operand covers (step.size, else the mnemonic's). */
export function operandSize(step: Step): number {
  return step.size ?? asmInfo(step.asm).size;
}

/** The step writes its memory operand (step.access, else the mnemonic's). */
export function operandWrites(step: Step): boolean {
  return step.access === undefined ? asmInfo(step.asm).write : step.access === 'w';
}

/**
 * The address of a step's memory operand on `cpu`: null when it has none, NaN
 * when its per-CPU pointer was freed (reading the offset throws; the step
 * throws use-after-free when it runs).
 */
export function operandAddress(m: Machine, step: Step, cpu: number): number | null {
  if (step.addr !== undefined) return step.addr;
  if (step.pcp === undefined) return null;
  try {
    return step.pcp.off + m.perCpuOffset[cpu]!;
  } catch {
    return NaN;
  }
}

/**
 * The footprint of a step about to run on `cpu`. A freed pointer's offset
 * cannot be read (it throws use-after-free); such a step conflicts with every
 * memory access so the reduction never reorders it, and the error surfaces
 * when the step runs.
 */
export function footprint(m: Machine, step: Step, cpu: number): Touch[] {
  if (step === null || typeof step !== 'object' || typeof step.asm !== 'string') throw new TypeError(`footprint: expected a step { asm, … } of a stepped op, got ${describe(step)}`);
  const out: Touch[] = [];
  const lo = operandAddress(m, step, cpu);
  if (lo !== null) {
    out.push(Number.isNaN(lo) ? { lo: 0, hi: Number.MAX_SAFE_INTEGER, name: '', write: true } : { lo, hi: lo + operandSize(step), name: '', write: operandWrites(step) });
  }
  for (const r of step.reads ?? []) out.push({ lo: -1, hi: -1, name: r, write: false });
  for (const w of step.writes ?? []) out.push({ lo: -1, hi: -1, name: w, write: true });
  return out;
}

/** True when two footprints touch a common location and at least one writes it (ANY_RESOURCE: see there). */
export function conflicts(a: readonly Touch[], b: readonly Touch[]): boolean {
  if (!Array.isArray(a) || !Array.isArray(b)) throw new TypeError(`conflicts: expected two footprints (arrays of touches from footprint()), got ${describe(a)} and ${describe(b)}`);
  return overlap(a, b);
}

/** conflicts() without the argument check, for the search's inner loops (footprints it made itself). */
export function overlap(a: readonly Touch[], b: readonly Touch[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    for (let j = 0; j < b.length; j++) {
      const y = b[j]!;
      if (!x.write && !y.write) continue;
      if (x.name === ANY_RESOURCE) {
        if (!y.name.startsWith(SCHED_RESOURCE)) return true;
        continue;
      }
      if (y.name === ANY_RESOURCE) {
        if (!x.name.startsWith(SCHED_RESOURCE)) return true;
        continue;
      }
      if (x.name !== '' || y.name !== '') {
        if (x.name === y.name) return true;
      } else if (x.lo < y.hi && y.lo < x.hi) {
        return true;
      }
    }
  }
  return false;
}

/**
 * The instruction text for the trace: the per-CPU operand by name
 * (formatInsn); with the machine, a plain address inside a static per-CPU
 * variable as `per_cpu(counter, 1)`.
 */
export function formatStep(step: Step, m?: Machine): string {
  if (step === null || typeof step !== 'object' || typeof step.asm !== 'string') throw new TypeError(`formatStep: expected a step { asm, … } of a stepped op, got ${describe(step)}`);
  if (step.pcp !== undefined) return formatInsn({ asm: step.asm, pcp: step.pcp, val: step.val, oval: step.oval, nval: step.nval });
  if (m !== undefined && step.addr !== undefined) {
    const size = step.size ?? mnemonicSize(step.asm);
    const name = symbolAt(m, step.addr, size) ?? objectSymbolAt(m, step.addr, size);
    if (name !== null) return step.asm.replace(hex(step.addr), name);
  }
  return step.asm;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function sizeSuffix(t: ScalarName): string {
  return ({ 1: 'b', 2: 'w', 4: 'l', 8: 'q' } as Record<number, string>)[scalarInfo(t).size] ?? '';
}

function register(t: ScalarName): string {
  return ({ 1: '%al', 2: '%ax', 4: '%eax', 8: '%rax' } as Record<number, string>)[scalarInfo(t).size] ?? '%xmm0';
}

/** A typed pointer's scalar, or the error for a struct, union or array (take a member). */
function kptrScalar(p: KPtr<unknown>, what: string): ScalarInfo {
  checkKPtr(p, what);
  if (p.type === null) throw new TypeError(`${what}: ${p.sym} is a ${p.ctype.name}, not a scalar; take a member first: kptr_member(m, p, 'member')`);
  return p.type;
}

/** A value as the trace shows it: a pointer in hex (`0x16000`, NULL as 0), anything else as it reads. */
function shown(p: KPtr<unknown>, v: number | bigint | boolean): string {
  return p.ctype.kind === 'pointer' && v !== 0n ? `0x${v.toString(16)}` : String(v);
}

/**
 * One load as its own step: `movl 0x1040, %eax` through a plain address
 * (what this_cpu_ptr()/per_cpu_ptr() returned) and a scalar type — with `sym`
 * the operand as C spells it (`movl tstats->rx_bytes, %eax`) — or
 * `movq b->bhs[3], %rax` through a typed pointer (KPtr, this_cpu_kptr()), whose
 * type it reads back as (signed types signed). The address was computed
 * earlier (by this_cpu_ptr()), so a migration in between makes it another
 * CPU's copy — the bug class the explorer looks for.
 */
export function load<T>(m: Machine, p: KPtr<T>): StepGen<ScalarValue<T>>;
export function load(m: Machine, addr: number, type: ScalarName, sym?: string): StepGen<number | bigint | boolean>;
export function* load(m: Machine, at: number | KPtr<unknown>, type?: ScalarName, sym?: string): StepGen<number | bigint | boolean> {
  if (typeof at === 'object' && at !== null) {
    const t = kptrScalar(at, 'load');
    if (type !== undefined) throw new TypeError(`load(${at.sym}): a typed pointer reads as its own type (${at.ctype.name}); pass no type`);
    const step: { -readonly [K in keyof Step]: Step[K] } = { asm: `mov${sizeSuffix(t.name)} ${at.sym}, ${register(t.name)}`, addr: at.addr, size: t.size, access: 'r' };
    yield step;
    const v = m.load(at.addr, t);
    step.moved = shown(at, v);
    return v;
  }
  const size = scalarInfo(type!).size;
  yield { asm: `mov${sizeSuffix(type!)} ${sym ?? hex(at)}, ${register(type!)}`, addr: at, size, access: 'r' };
  return m.load(at, type!);
}

/** One store as its own step: `movl %eax, 0x1040` (address and type, or `sym` as for load) or `movq %rax, b->bhs[3]` (typed pointer). */
export function store<T>(m: Machine, p: KPtr<T>, value: ScalarValue<T>): StepGen<void>;
export function store(m: Machine, addr: number, type: ScalarName, value: number | bigint | boolean, sym?: string): StepGen<void>;
export function* store(m: Machine, at: number | KPtr<unknown>, a: unknown, b?: unknown, sym?: string): StepGen<void> {
  if (typeof at === 'object' && at !== null) {
    const t = kptrScalar(at, 'store');
    const v = a as number | bigint | boolean;
    checkValueKind(t, v, `store(${at.sym})`);
    const step: { -readonly [K in keyof Step]: Step[K] } = { asm: `mov${sizeSuffix(t.name)} ${register(t.name)}, ${at.sym}`, addr: at.addr, size: t.size, access: 'w' };
    yield step;
    const old = m.load(at.addr, t);
    m.store(at.addr, t, v);
    step.moved = `${shown(at, old)} -> ${shown(at, m.load(at.addr, t))}`;
    return;
  }
  const type = a as ScalarName;
  const size = scalarInfo(type).size;
  yield { asm: `mov${sizeSuffix(type)} ${register(type)}, ${sym ?? hex(at)}`, addr: at, size, access: 'w' };
  m.store(at, type, b as number | bigint | boolean);
}

/**
 * A register-only instruction (`addl $1, %eax`): a preemption point that
 * touches no memory, so it commutes with everything other CPUs do.
 */
export function* reg(asm: string): StepGen<void> {
  yield { asm };
}

/**
 * One step that runs `fn` as a unit after the scheduler resumes the task: for a
 * call the scenario treats as atomic (a library function under a lock) or a
 * guarded access (PerCpuRef.get()). `step` must name everything `fn` touches.
 */
export function* atomic<R>(step: Step, fn: () => R): StepGen<R> {
  yield step;
  return fn();
}
