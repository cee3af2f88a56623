/**
 * Tasks, interrupt handlers and the world a scenario builds for one schedule.
 *
 * A task is a generator function yielding a Step before each instruction
 * (`yield* raw_cpu_xchg_4(m, p, 5)` from the stepped module, or the helpers of
 * ./step.ts). Each task has its own ExecContext (comm, pid, preempt_count,
 * irqs); the scheduler makes it `m.ctx` and loads the task's CPU into `m.cpu`/
 * `m.gs` whenever it runs the task, so preempt_disable(), local_irq_save(),
 * get_cpu(), CpuGuard and the DEBUG_PREEMPT checks all act on the running task.
 */
import type { ExecContext, Machine } from '../machine.js';
import type { PerCpuPtr } from '../percpu-ptr.js';
import type { Step, StepGen } from './step.js';

export interface TaskSpec {
  /** comm: letters, digits and `_` (it appears in schedule strings). */
  readonly name: string;
  /** The CPU whose runqueue the task starts on (the first task of a CPU runs, the others wait). */
  readonly cpu: number;
  /** is_percpu_thread(): may be preempted but never migrated. */
  readonly pinned?: boolean;
  readonly run: (m: Machine) => StepGen;
}

export interface IrqSpec {
  /** The handler's name (letters, digits and `_`). */
  readonly name: string;
  /** How many times it may fire in one schedule (default 1). */
  readonly budget?: number;
  /** CPUs it may be delivered on (default all). */
  readonly cpus?: readonly number[];
  /** Runs in an 'irq' ExecContext nested on the interrupted CPU, interrupts disabled. */
  readonly run: (m: Machine) => StepGen;
}

/** What a scenario's checkStep() sees of the step about to run. */
export interface StepInfo {
  readonly cpu: number;
  /** Task name, or the handler's name for an interrupt frame. */
  readonly who: string;
  readonly irq: boolean;
  readonly step: Step;
  /** Address of a memory operand (gs-relative resolved on `cpu`), or null. */
  readonly addr: number | null;
  /** Which CPU's unit `addr` lies in (null for no address or outside the units). */
  readonly owner: number | null;
  readonly write: boolean;
}

/** Everything one run of a scenario needs; a scenario builds a fresh World per schedule. */
export interface World {
  readonly m: Machine;
  readonly tasks: readonly TaskSpec[];
  readonly irqs?: readonly IrqSpec[];
  /** Per-CPU variables whose every CPU's copy is part of the state (for counting distinct states). */
  readonly watch?: readonly PerCpuPtr<unknown>[];
  /** Scenario state outside per-CPU memory, as a string (for counting distinct states). */
  stateKey?(): string;
  /** Checked before each step; a string is a violation (e.g. a write to another CPU's copy). */
  checkStep?(info: StepInfo): string | null;
  /** Checked after every transition; a string is a violation. */
  check?(): string | null;
  /** Checked when every task has finished; a string is a violation. */
  final(): string | null;
}

/** A scenario: a named builder of Worlds with its invariant and the outcome it is shipped with. */
export interface Scenario {
  readonly name: string;
  readonly title: string;
  /** What the scenario shows and what the invariant is. */
  readonly description: string;
  /** 'violation' when the code is buggy and the explorer must find it. */
  readonly expect: 'violation' | 'none';
  /** Preemption bound (preemptions + migrations per schedule), default 2. */
  readonly bound?: number;
  readonly cpus: number;
  build(): World;
}

/** hardirq preempt_count offset: an interrupt handler runs with HARDIRQ_OFFSET added. */
export const HARDIRQ_OFFSET = 1 << 16;

export type FrameKind = 'task' | 'irq';

/** A running or runnable generator with its context. */
export interface Frame {
  readonly kind: FrameKind;
  readonly name: string;
  readonly ctx: ExecContext;
  gen: StepGen | null;
  /** The step yielded and not yet performed; null before the first resume or when done. */
  pending: Step | null;
  started: boolean;
  done: boolean;
  /** Hash of everything the frame has observed (CPU and bytes read per step): its local state. */
  obs: number;
}

export interface TaskState extends Frame {
  readonly kind: 'task';
  readonly spec: TaskSpec;
  readonly pid: number;
  /** The CPU it runs on or waits on. */
  cpu: number;
}

export interface IrqFrame extends Frame {
  readonly kind: 'irq';
  readonly spec: IrqSpec;
  readonly cpu: number;
}

export interface CpuState {
  current: TaskState | null;
  irq: IrqFrame | null;
  /** Tasks waiting on this CPU, in order. */
  runqueue: TaskState[];
}
