/**
 * Tasks, interrupt handlers and the world a scenario builds for one schedule.
 *
 * A task is a generator function yielding a Step before each instruction
 * (`yield* raw_cpu_xchg_4(m, p, 5)` from the stepped module, or the helpers of
 * ./step.ts). Each task has its own ExecContext (comm, pid, preempt_count,
 * irqs); the scheduler makes it `m.ctx` and loads the task's CPU into `m.cpu`/
 * `m.gs` whenever it runs the task, so preempt_disable(), local_irq_save(),
 * get_cpu(), CpuGuard and the DEBUG_PREEMPT checks all act on the running task.
 *
 * Handlers nest over a CPU's task as the kernel nests contexts: softirq <
 * hardirq < NMI. Each runs in its own ExecContext whose preempt_count is the
 * interrupted context's plus the handler's offset (SOFTIRQ_OFFSET,
 * HARDIRQ_OFFSET, NMI_OFFSET + HARDIRQ_OFFSET).
 *
 * Code before a frame's first yield runs when the frame is first scheduled, as
 * part of its first step, never when the frame is created.
 */
import type { ExecContext, Machine } from '../machine.js';
import type { PerCpuPtr } from '../percpu-ptr.js';
import { describe } from '../types.js';
import type { Step, StepGen, Touch } from './step.js';

/** A task of a scenario: its name, the CPU it starts on and the generator function it runs. */
export interface TaskSpec {
  /** comm: letters, digits and `_` (it appears in schedule strings). */
  readonly name: string;
  /** The CPU whose runqueue the task starts on (the first task of a CPU runs, the others wait). */
  readonly cpu: number;
  /** is_percpu_thread(): may be preempted but never migrated. */
  readonly pinned?: boolean;
  /**
   * The code before the first yield computes on locals (and its own context)
   * only: it reads and writes no memory, ghost or variable that another frame
   * shares. Then its first step has the footprint of the first instruction
   * (see Scheduler: found by a throwaway run of the code up to that yield)
   * instead of conflicting with everything. Default false. Like a step's
   * `reads`/`writes`, a declaration the explorer trusts: a wrong one lets it
   * merge orders that differ.
   */
  readonly localStart?: boolean;
  /** The task body: a generator function that yields its steps. */
  readonly run: (m: Machine) => StepGen;
}

/** An interrupt handler of a scenario, which the scheduler may deliver on a CPU whose interrupts are on. */
export interface IrqSpec {
  /** The handler's name (letters, digits and `_`). */
  readonly name: string;
  /** How many times it may fire in one schedule (default 1). */
  readonly budget?: number;
  /** CPUs it may be delivered on (default all). */
  readonly cpus?: readonly number[];
  /**
   * The code before the first yield computes on locals (and its own context)
   * only: it reads and writes no memory, ghost or variable that another frame
   * shares. Then its first step (its first in each delivery) has the footprint of the first instruction
   * (see Scheduler: found by a throwaway run of the code up to that yield)
   * instead of conflicting with everything. Default false. Like a step's
   * `reads`/`writes`, a declaration the explorer trusts: a wrong one lets it
   * merge orders that differ.
   */
  readonly localStart?: boolean;
  /**
   * Runs in an 'irq' ExecContext nested on the interrupted CPU, interrupts
   * disabled (an 'nmi' context for World.nmis). With PREEMPT_RT a hardirq
   * handler runs threaded: in its own task `irq/<name>`, pinned to the CPU,
   * preemptible and able to sleep.
   */
  readonly run: (m: Machine) => StepGen;
}

/** A softirq handler (open_softirq()): it runs when its vector is pending and softirqs may run. */
export interface SoftirqSpec {
  /** The vector: HI_SOFTIRQ … RCU_SOFTIRQ (src/kernel/softirq.ts). */
  readonly nr: number;
  /**
   * How many times the explorer may inject it (raise it from an interrupt and
   * run it on that interrupt's exit) per schedule (default 0: it runs only when
   * the scenario's code raises it).
   */
  readonly budget?: number;
  /** CPUs it may be injected on (default all). */
  readonly cpus?: readonly number[];
  /** As IrqSpec.localStart. */
  readonly localStart?: boolean;
  /** Runs in a 'softirq' ExecContext (SOFTIRQ_OFFSET added, interrupts on) over the CPU's task. */
  readonly run: (m: Machine) => StepGen;
}

/** What a scenario's checkStep() sees of the step about to run. */
export interface StepInfo {
  readonly cpu: number;
  /** Task name, or the handler's name for an interrupt frame. */
  readonly who: string;
  /** The step runs in a handler (softirq, hardirq or NMI), not a task. */
  readonly irq: boolean;
  readonly context: FrameKind;
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
  /** Softirq handlers, one per vector. */
  readonly softirqs?: readonly SoftirqSpec[];
  /** NMI handlers: delivered even with interrupts disabled, never nested in one another. */
  readonly nmis?: readonly IrqSpec[];
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

/**
 * What a scenario's setup() makes: the booted machine and whatever else every
 * schedule starts from (per-CPU variables, allocations, initialised locks,
 * ghosts, library objects such as a percpu_counter), as an object.
 */
export interface WorldSetup {
  readonly m: Machine;
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
  /** Makes a fresh instance of the scenario: its machine, tasks and handlers. */
  build(): World;
  /**
   * The scenario split in two (with start(); build() is then start(setup())):
   * the machine and its state, made once and snapshotted by the explorer,
   * which restores the snapshot for each later schedule instead of building
   * and booting a new machine. Everything that changes during a schedule must
   * be reachable from the returned object — held in its properties, in the
   * machine, or in objects they reach (not in variables a closure captures,
   * nor in WeakMaps or `#` fields): what the snapshot cannot reach it cannot
   * restore (src/snapshot.ts).
   */
  setup?(): WorldSetup;
  /**
   * The per-schedule part, on the machine setup() made (restored to the state
   * setup() left it in): the tasks and handlers and the scenario's own
   * bookkeeping (counts, flags), made afresh for each schedule.
   */
  start?(setup: WorldSetup): World;
}

/** A scenario written as setup() + start(): its build() is start(setup()). */
export function splitScenario<S extends WorldSetup>(
  def: Omit<Scenario, 'build' | 'setup' | 'start'> & { setup(): S; start(setup: S): World },
): Scenario {
  if (def === null || typeof def !== 'object') {
    throw new TypeError(`splitScenario: expected a scenario { name, title, description, expect, cpus, setup(), start(setup) }, got ${describe(def)}`);
  }
  const { setup, start } = def;
  if (typeof setup !== 'function' || typeof start !== 'function') {
    throw new TypeError(`splitScenario: setup and start must be functions, got ${typeof setup} and ${typeof start}`);
  }
  return { ...def, setup, start: start as (s: WorldSetup) => World, build: () => start(setup()) };
}

/** What a frame runs: a task, or a softirq, hardirq or NMI handler. */
export type FrameKind = 'task' | 'softirq' | 'irq' | 'nmi';

/** A running or runnable generator with its context. */
export interface Frame {
  readonly kind: FrameKind;
  readonly name: string;
  readonly ctx: ExecContext;
  /** The frame's body: a generator function that yields its steps. */
  readonly run: (m: Machine) => StepGen;
  gen: StepGen | null;
  /** The step yielded and not yet performed; null before the first step or when done. */
  pending: Step | null;
  /** Its code has run up to its first yield (that happens in its first step). */
  started: boolean;
  /** The spec's localStart: its first step's footprint is its first instruction's. */
  readonly localStart: boolean;
  /** The CPU the first instruction was last probed on (-1: never), and its footprint there. */
  probeCpu: number;
  probeTouches: readonly Touch[];
  done: boolean;
  /** Hash of everything the frame has observed (CPU and bytes read per step): its local state. */
  obs: number;
}

export interface TaskState extends Frame {
  readonly kind: 'task';
  readonly spec: TaskSpec;
  readonly pid: number;
  /** The CPU it runs on, waits on, or sleeps on. */
  cpu: number;
  /** Asleep on a sleeping lock: off its CPU until the lock is released. */
  blocked: boolean;
}

/** A softirq, hardirq or NMI handler running nested on a CPU. */
export interface HandlerFrame extends Frame {
  readonly kind: 'softirq' | 'irq' | 'nmi';
  readonly cpu: number;
  /** preempt_count and irq state it must return with. */
  readonly entryCount: number;
  readonly entryIrqsDisabled: boolean;
  /** The softirq vector (softirq frames). */
  readonly nr: number;
}

/** A CPU as the scheduler sees it: the running task, the handlers nested over it, its runqueue and pending softirqs. */
export interface CpuState {
  current: TaskState | null;
  /** Handlers nested over `current`, innermost last (softirq < hardirq < NMI). */
  nested: HandlerFrame[];
  /** Tasks waiting on this CPU, in order. */
  runqueue: TaskState[];
  /** Softirq vectors this CPU's handle_softirqs() still has to run, in order. */
  softirqQueue: number[];
  /** handle_softirqs() rounds so far (MAX_SOFTIRQ_RESTART). */
  softirqRestarts: number;
}
