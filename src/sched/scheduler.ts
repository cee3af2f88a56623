/**
 * The scheduler of one schedule: the CPUs' current tasks, runqueues, nested
 * handlers and sleeping tasks, the transitions enabled at each yield point,
 * and what each transition does.
 *
 * A transition is one of
 *   step     cpu c performs the pending instruction of its top frame (the
 *            innermost handler if one runs, else the current task) and runs
 *            the frame's code up to its next yield. A frame's first step first
 *            runs its code up to its first yield (the frame "starts"): task
 *            code runs when it is scheduled, never when it is created. A
 *            sleeping step that cannot proceed blocks its task instead: the
 *            task leaves the CPU to the next task of the runqueue (no
 *            preemption is used) and wakes when the lock is released;
 *   preempt  cpu c switches from its current task to a task on its runqueue;
 *   migrate  a task leaves its CPU (running or waiting) for another CPU's
 *            runqueue, running there at once if that CPU is idle: the next
 *            step it performs loads the new CPU's GS base;
 *   irq      a registered hardirq handler is delivered on cpu c: it runs in an
 *            'irq' context nested over c's running context until it returns;
 *            with PREEMPT_RT it runs threaded: a task `irq/<name>` that
 *            preempts c's task;
 *   softirq  cpu c runs its pending softirqs (ksoftirqd, or an interrupt's
 *            exit), or an injected one: an interrupt raised it and it runs on
 *            that interrupt's exit;
 *   nmi      an NMI handler runs nested over whatever c runs, even with
 *            interrupts off.
 * The scheduler never preempts or migrates a task whose preemption or
 * interrupts are disabled (or that a handler is nested over), never migrates
 * a pinned or migration-disabled task, never delivers a hardirq to a context
 * with interrupts disabled, and runs softirqs only outside interrupt context
 * (not in a handler, bottom halves enabled) with interrupts on — as
 * kernel/softirq.c does, softirqs also run when local_bh_enable() or a
 * hardirq's exit leaves the CPU outside interrupt context with some pending.
 * Which transition comes next is decided outside: by the explorer's search, a
 * seeded random choice, or a schedule string being replayed.
 *
 * Preemptions and migrations together are bounded per schedule (the CHESS
 * preemption bound), and each kind may have a budget of its own; interrupts,
 * injected softirqs and NMIs by each handler's budget or by a total per kind
 * (see budget.ts); the interleaving of instructions on different CPUs is not
 * bounded.
 */
import { KernelBugError, MachineStateError } from '../errors.js';
import { NR_CPUS_MAX, type ExecContext, type Machine } from '../machine.js';
import { HARDIRQ_OFFSET, NMI_MASK, NMI_OFFSET, SOFTIRQ_OFFSET } from '../kernel/preempt.js';
import {
  MAX_SOFTIRQ_RESTART, checkSoftirqNr, softirq_pending_of, softirq_to_name, softirqsMayRun, take_softirq_pending, take_softirq_run_request,
} from '../kernel/softirq.js';
import { resolveBudgets, type Budgets } from './budget.js';
import { ghostKey, hasGhosts, setGhostGate } from './ghost.js';
import {
  ANY_TOUCH, SCHED_RESOURCE, footprint, formatStep, mnemonicAccess, mnemonicSize, operandAddress, operandSize, operandWrites, overlap, type Step, type Touch,
} from './step.js';
import { readBits } from '../scalar-bits.js';
import { describe, fromBits, scalarInfo, type ScalarInfo } from '../types.js';
import type {
  CpuState, Frame, HandlerFrame, IrqSpec, SoftirqSpec, StepInfo, TaskSpec, TaskState, World,
} from './task.js';

/** One scheduling decision: run a step, preempt, migrate or deliver an interrupt. */
export type Choice =
  | { readonly kind: 'step'; readonly cpu: number }
  | { readonly kind: 'preempt'; readonly cpu: number; readonly to: string }
  | { readonly kind: 'migrate'; readonly task: string; readonly to: number }
  | { readonly kind: 'irq'; readonly cpu: number; readonly handler: string }
  /** `name` null: run the CPU's pending softirqs; else inject that softirq. */
  | { readonly kind: 'softirq'; readonly cpu: number; readonly name: string | null }
  | { readonly kind: 'nmi'; readonly cpu: number; readonly handler: string };

/** An enabled transition with what it touches (for the reduction). */
export interface Transition {
  readonly choice: Choice;
  /** The schedule-string token; stable for the same transition in later states. */
  readonly token: string;
  readonly touches: readonly Touch[];
  /** A step that runs only while its enabled() predicate holds (a lock): something else may have to run first. */
  readonly blocking?: boolean;
  /**
   * What the transition may touch besides `touches`, known only once it has
   * run: a task's step that turns out to end the task or block it takes the
   * next task off its CPU's runqueue (`sched:rq:N`). After apply(),
   * Scheduler.touchesOf() gives what it really touched.
   */
  readonly unknown?: readonly Touch[];
}

/** What a schedule found wrong. */
export type ViolationKind = 'invariant' | 'bug' | 'deadlock' | 'exit' | 'step-check' | 'livelock';

/** One line of a schedule's trace: a transition and what it did. */
export interface TraceEntry {
  /** Transition number (1-based); notes that follow a transition repeat its number. */
  readonly n: number;
  readonly cpu: number;
  /** Task or handler name; '' for a scheduler line. */
  readonly who: string;
  readonly kind: 'step' | 'preempt' | 'migrate' | 'irq' | 'softirq' | 'nmi' | 'note' | 'violation';
  readonly text: string;
  /** A step's memory operand as a raw address (the text names it symbolically). */
  readonly addr?: number;
}

/** Unsigned scalars by size, to read a step's operand bytes before and after it runs. */
const UNSIGNED: Record<number, ScalarInfo> = { 1: scalarInfo('u8'), 2: scalarInfo('u16'), 4: scalarInfo('u32'), 8: scalarInfo('u64') };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SCHED_BOUND = `${SCHED_RESOURCE}bound`;
/** Written by every preemption and migration. */
const BOUND_TOUCH: Touch = { lo: -1, hi: -1, name: SCHED_BOUND, write: true };
/** The resources of the per-kind injection totals (written by every injection of the kind when a total is given). */
const TOTAL_IRQS = `${SCHED_RESOURCE}irqs`;
const TOTAL_SOFTIRQS = `${SCHED_RESOURCE}softirqs`;
const TOTAL_NMIS = `${SCHED_RESOURCE}nmis`;

/** The token of a choice in a schedule string: `0` step on cpu0, `p0:T2`, `mT1:1`, `i0:tick`, `s0`, `s0:NET_RX`, `n0:perf`. */
export function choiceToken(c: Choice): string {
  if (c === null || typeof c !== 'object' || typeof c.kind !== 'string') throw new TypeError(`choiceToken: expected a choice { kind, … } (a transition's choice), got ${describe(c)}`);
  switch (c.kind) {
    case 'step': return String(c.cpu);
    case 'preempt': return `p${c.cpu}:${c.to}`;
    case 'migrate': return `m${c.task}:${c.to}`;
    case 'irq': return `i${c.cpu}:${c.handler}`;
    case 'softirq': return c.name === null ? `s${c.cpu}` : `s${c.cpu}:${c.name}`;
    case 'nmi': return `n${c.cpu}:${c.handler}`;
  }
}

/** Parses one schedule-string token (the inverse of choiceToken). */
export function parseToken(tok: string): Choice {
  if (typeof tok !== 'string') throw new TypeError(`schedule: a token must be a string, got ${describe(tok)}`);
  // A CPU id is at most NR_CPUS_MAX - 1: a longer number is refused, not rounded and echoed back as another CPU.
  const cpu = (digits: string): number => {
    const n = Number(digits);
    if (n >= NR_CPUS_MAX) throw new SyntaxError(`schedule: bad token '${tok}': CPU ${digits} is out of range (CPU ids are 0 to ${NR_CPUS_MAX - 1})`);
    return n;
  };
  let mt: RegExpMatchArray | null;
  if ((mt = /^(\d+)$/.exec(tok))) return { kind: 'step', cpu: cpu(mt[1]!) };
  if ((mt = /^p(\d+):([A-Za-z_][A-Za-z0-9_]*)$/.exec(tok))) return { kind: 'preempt', cpu: cpu(mt[1]!), to: mt[2]! };
  if ((mt = /^m([A-Za-z_][A-Za-z0-9_]*):(\d+)$/.exec(tok))) return { kind: 'migrate', task: mt[1]!, to: cpu(mt[2]!) };
  if ((mt = /^i(\d+):([A-Za-z_][A-Za-z0-9_]*)$/.exec(tok))) return { kind: 'irq', cpu: cpu(mt[1]!), handler: mt[2]! };
  if ((mt = /^s(\d+)(?::([A-Za-z_][A-Za-z0-9_]*))?$/.exec(tok))) return { kind: 'softirq', cpu: cpu(mt[1]!), name: mt[2] ?? null };
  if ((mt = /^n(\d+):([A-Za-z_][A-Za-z0-9_]*)$/.exec(tok))) return { kind: 'nmi', cpu: cpu(mt[1]!), handler: mt[2]! };
  throw new SyntaxError(
    `schedule: bad token '${tok}': expected <cpu> (a step), p<cpu>:<task> (preempt), m<task>:<cpu> (migrate), i<cpu>:<handler> (interrupt), `
    + 's<cpu> (pending softirqs), s<cpu>:<softirq> (inject a softirq) or n<cpu>:<handler> (NMI)',
  );
}

/** FNV-1a step over a 32-bit number. */
function mix(h: number, v: number): number {
  h ^= v & 0xff; h = Math.imul(h, 0x01000193);
  h ^= (v >>> 8) & 0xff; h = Math.imul(h, 0x01000193);
  h ^= (v >>> 16) & 0xff; h = Math.imul(h, 0x01000193);
  h ^= v >>> 24; h = Math.imul(h, 0x01000193);
  return h >>> 0;
}

function describeError(e: unknown): string {
  if (e instanceof Error) return e instanceof KernelBugError ? e.message : `${e.name}: ${e.message}`;
  return `thrown: ${String(e)}`;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** The context of the explorer itself, made running while invariants are checked. */
function explorerCtx(): ExecContext {
  return { comm: 'explorer', pid: 0, kind: 'task', preemptCount: 0, irqsDisabled: false, pinned: true, migrationDisabled: 0 };
}

function newTask(spec: TaskSpec, pid: number, comm: string): TaskState {
  return {
    kind: 'task', name: spec.name, spec, pid, run: spec.run, cpu: spec.cpu, blocked: false,
    ctx: { comm, pid, kind: 'task', preemptCount: 0, irqsDisabled: false, pinned: spec.pinned ?? false, migrationDisabled: 0 },
    gen: null, pending: null, started: false, done: false, obs: 0x811c9dc5, localStart: spec.localStart === true, probeCpu: -1, probeTouches: [],
  };
}

const NO_NAMES: ReadonlySet<string> = new Set();

const CONTEXT_TAG: Record<Frame['kind'], string> = { task: '', softirq: '[softirq]', irq: '[irq]', nmi: '[nmi]' };

/** Runs one scenario instance step by step, taking each decision from the caller; the explorer drives it. */
export class Scheduler {
  readonly m: Machine;
  readonly world: World;
  /** Preemptions + migrations per schedule (budgets.bound). */
  readonly bound: number;
  readonly budgets: Budgets;
  readonly cpus: CpuState[];
  /** The world's tasks, then threaded interrupt handlers as they are created (PREEMPT_RT). */
  readonly tasks: TaskState[];
  private readonly byName = new Map<string, TaskState>();
  private readonly handlers: IrqSpec[];
  private readonly nmis: IrqSpec[];
  private readonly softirqs = new Map<number, SoftirqSpec>();
  /** Remaining deliveries per handler, NMI handler and injectable softirq (by name). */
  readonly budget: Map<string, number>;
  private readonly ghosts: boolean;
  /**
   * What runs on each CPU (`sched:cpu:N`): its current task, the handlers
   * nested over it and their contexts (preempt_count, interrupts). Every step
   * of the CPU writes it, and so does everything that changes who runs there.
   */
  private readonly cpuTouches: Touch[];
  /**
   * Each CPU's runqueue (`sched:rq:N`): the tasks waiting there, in order, and
   * whether the CPU has a task at all (idle). Written by what adds, removes or
   * takes a waiting task, or makes the CPU idle: a preemption, a migration
   * from or to the CPU, a task's exit or block (its step's footprint gains it
   * once it has run: see touchesOf()), a wake-up onto the CPU.
   */
  private readonly rqTouches: Touch[];
  /** [rqTouches[N]] per CPU: a step's `unknown`. */
  private readonly rqOnly: (readonly Touch[])[];
  /** What the transition being applied touched besides its footprint: see touchesOf(). */
  private extra: readonly Touch[] | null = null;
  /** The step of each CPU: its choice and token (`0`, `1`, …). */
  private readonly stepChoices: Choice[];
  private readonly stepTokens: string[];
  /**
   * Preemptions, migrations and injections touch only the scheduler's own
   * resources, so each is the same transition wherever it is enabled in the
   * schedule: made once, by kind and name (a task, handler or softirq), one
   * per CPU.
   */
  private fixed: [Map<string, Transition[]>, Map<string, Transition[]>, Map<string, Transition[]>] | null = null;
  /**
   * Hash what each frame reads (its observation history, part of stateKey()).
   * Only a state count needs it: the explorer turns it off when it counts none.
   */
  hashing = true;
  private nextPid: number;
  /** Preemptions + migrations so far (limited by `bound`). */
  eventsUsed = 0;
  preemptions = 0;
  migrations = 0;
  interrupts = 0;
  softirqRuns = 0;
  /** Softirqs injected (`s0:NET_RX`), as opposed to run because the code raised them. */
  softirqInjections = 0;
  nmiCount = 0;
  /** Blocks on sleeping locks (free context switches). */
  blocks = 0;
  steps = 0;
  /** Transitions performed. */
  n = 0;
  readonly trace: TraceEntry[] = [];
  readonly schedule: string[] = [];
  violation: string | null = null;
  violationKind: ViolationKind | null = null;
  /** Nothing could run without one more preemption than the bound allows: the schedule was cut, not deadlocked. */
  boundStop = false;
  /** Collects which per-CPU memory each instruction touched, in which context and on which CPU (see explore/coverage.ts); null: off. */
  coverage: Set<string> | null = null;
  /** Record the trace (off for the explorer's fast path; replays record). */
  tracing: boolean;
  /**
   * Run the scenario's checks (check() after each transition, checkStep()
   * before each instruction). The explorer turns them off while it replays a
   * prefix it has already checked: they are functions of the state, which a
   * replay reproduces exactly.
   */
  checking = true;

  /** `limits`: the preemption bound alone, or every budget (resolveBudgets()). */
  constructor(world: World, limits: number | Budgets, tracing = true) {
    if (world === null || typeof world !== 'object' || !Array.isArray(world.tasks)) {
      throw new TypeError(`Scheduler: expected a world { m, tasks, … } (what a scenario's build() returns), got ${describe(world)}`);
    }
    // Not instanceof: a user scenario file may bring its own copy of the runtime (another module instance).
    if (world.m === null || typeof world.m !== 'object' || typeof (world.m as Partial<Machine>).checkCpu !== 'function') {
      throw new TypeError(`Scheduler: world.m must be the scenario's Machine, got ${describe(world.m)}`);
    }
    this.budgets = typeof limits === 'number' ? resolveBudgets({ bound: limits }, 0, 'scheduler') : resolveBudgets(limits, 0, 'scheduler');
    this.world = world;
    this.m = world.m;
    this.bound = this.budgets.bound;
    this.tracing = tracing;
    const m = world.m;
    if (!m.booted) throw new MachineStateError('scheduler: the scenario must boot its machine (m.boot()) before building the world');
    if (world.tasks.length === 0) throw new RangeError('scheduler: a world needs at least one task');
    // Plain loops, no callbacks: a scheduler is made per schedule.
    this.cpus = [];
    this.cpuTouches = [];
    this.rqTouches = [];
    this.rqOnly = [];
    this.stepChoices = [];
    this.stepTokens = [];
    for (let cpu = 0; cpu < m.nrCpus; cpu++) {
      this.cpus.push({ current: null, nested: [], runqueue: [], softirqQueue: [], softirqRestarts: 0 });
      this.cpuTouches.push({ lo: -1, hi: -1, name: `${SCHED_RESOURCE}cpu:${cpu}`, write: true });
      const rq: Touch = { lo: -1, hi: -1, name: `${SCHED_RESOURCE}rq:${cpu}`, write: true };
      this.rqTouches.push(rq);
      this.rqOnly.push([rq]);
      this.stepChoices.push({ kind: 'step', cpu });
      this.stepTokens.push(String(cpu));
    }
    this.tasks = [];
    let pid = 101;
    for (const spec of world.tasks) {
      if (!NAME.test(spec.name)) throw new TypeError(`scheduler: task name '${spec.name}' must be letters, digits and _ (it appears in schedule strings)`);
      if (this.byName.has(spec.name)) throw new TypeError(`scheduler: two tasks are named '${spec.name}'`);
      m.checkCpu(spec.cpu, `task ${spec.name}`);
      if (!m.online.test(spec.cpu)) throw new MachineStateError(`scheduler: task ${spec.name} starts on cpu ${spec.cpu}, which is offline`);
      const t = newTask(spec, pid++, spec.name);
      this.tasks.push(t);
      this.byName.set(t.name, t);
      const c = this.cpus[spec.cpu]!;
      if (c.current === null) c.current = t;
      else c.runqueue.push(t);
    }
    this.nextPid = pid;
    this.budget = new Map();
    this.handlers = world.irqs === undefined ? [] : [...world.irqs];
    this.nmis = world.nmis === undefined ? [] : [...world.nmis];
    const b = this.budgets;
    for (const h of this.handlers) this.handlerBudget(h, 'handler', b.irqs);
    for (const h of this.nmis) this.handlerBudget(h, 'NMI handler', b.nmis);
    for (const s of world.softirqs ?? []) {
      checkSoftirqNr(s.nr, 'scheduler: softirq');
      const n = softirq_to_name[s.nr]!;
      if (this.softirqs.has(s.nr)) throw new TypeError(`scheduler: two handlers for softirq ${n}`);
      this.checkName(n, 'softirq');
      for (const c of s.cpus ?? []) m.checkCpu(c, `softirq ${n}`);
      this.setBudget(n, b.softirqs ?? s.budget ?? 0, 'softirq');
      this.softirqs.set(s.nr, s);
    }
    // A total for a kind the world never injects would silently change nothing.
    if (b.irqs !== null || b.softirqs !== null || b.nmis !== null) {
      const kinds = [
        ['irqs', b.irqs, this.handlers.length, 'interrupt handler (World.irqs)'],
        ['softirqs', b.softirqs, this.softirqs.size, 'softirq handler (World.softirqs)'],
        ['nmis', b.nmis, this.nmis.length, 'NMI handler (World.nmis)'],
      ] as const;
      for (const [flag, total, n, what] of kinds) {
        if (total !== null && n === 0) throw new RangeError(`scheduler: a budget of ${total} ${flag} was given, but the world has no ${what}`);
      }
    }
    this.ghosts = hasGhosts(m);
    this.checkState();
  }

  private checkName(n: string, what: string): void {
    if (!NAME.test(n)) throw new TypeError(`scheduler: ${what} name '${n}' must be letters, digits and _`);
    if (this.budget.has(n) || this.byName.has(n)) throw new TypeError(`scheduler: the name '${n}' is used twice`);
  }

  private setBudget(n: string, b: number, what: string): void {
    if (!Number.isInteger(b) || b < 0) throw new RangeError(`scheduler: ${what} ${n}: budget must be a non-negative integer, got ${b}`);
    this.budget.set(n, b);
  }

  /** A hardirq or NMI handler: its name, CPUs and budget (its own, or the kind's total). */
  private handlerBudget(h: IrqSpec, what: string, total: number | null): void {
    this.checkName(h.name, what);
    for (const c of h.cpus ?? []) this.m.checkCpu(c, `${what} ${h.name}`);
    this.setBudget(h.name, total ?? h.budget ?? 1, what);
  }

  /** Every task has finished and no handler runs. */
  get finished(): boolean {
    // Asked at every point of a schedule: loops, not callbacks.
    for (const t of this.tasks) if (!t.done) return false;
    for (const c of this.cpus) if (c.nested.length !== 0) return false;
    return true;
  }

  private top(cpu: number): Frame | null {
    const c = this.cpus[cpu]!;
    return c.nested.length > 0 ? c.nested[c.nested.length - 1]! : c.current;
  }

  private log(cpu: number, who: string, kind: TraceEntry['kind'], text: string): void {
    if (this.tracing) this.trace.push({ n: this.n, cpu, who, kind, text });
  }

  private fail(kind: ViolationKind, msg: string, cpu: number): void {
    if (this.violation !== null) return;
    this.violation = msg;
    this.violationKind = kind;
    this.log(cpu, '', 'violation', msg);
  }

  /**
   * Runs a piece of frame code on `cpu` with the frame's context running, the
   * ghosts it may touch opened (everything at its start, else what its step
   * declares), and an exception turned into a violation. `step` null: the
   * frame's first step, which starts its generator.
   */
  private frameCode(f: Frame, cpu: number, step: Step | null): void {
    const m = this.m;
    m.ctx = f.ctx;
    m.loadCpu(cpu);
    if (this.ghosts) {
      setGhostGate(m, step === null ? 'any' : { reads: new Set(step.reads ?? []), writes: new Set(step.writes ?? []), who: f.name });
    }
    try {
      // The first step makes the generator: the code before its first yield runs now.
      if (step === null) f.gen = f.run(m);
      this.advance(f, cpu);
    } catch (e) {
      f.pending = null;
      this.fail('bug', `${f.name} on cpu${cpu}: ${describeError(e)}${f.ctx.src !== undefined ? ` (at ${f.ctx.src})` : ''}`, cpu);
    } finally {
      if (this.ghosts) setGhostGate(m, null);
    }
  }

  /** Runs a frame's code up to its first yield (its first step does this). */
  private start(f: Frame, cpu: number): void {
    f.started = true;
    this.frameCode(f, cpu, null);
  }

  /** Resumes a frame: it performs its pending instruction and runs to its next yield. */
  private resume(f: Frame, cpu: number): void {
    this.frameCode(f, cpu, f.pending);
  }

  private advance(f: Frame, cpu: number): void {
    const r = f.gen!.next();
    if (r.done) {
      f.pending = null;
      f.done = true;
      if (f.kind === 'task') this.taskExit(f as TaskState, cpu);
      else this.handlerExit(f as HandlerFrame, cpu);
    } else {
      f.pending = r.value;
    }
  }

  private taskExit(t: TaskState, cpu: number): void {
    // do_exit() notes an unbalanced preempt_disable or local_irq_save of the dying task.
    if (t.ctx.irqsDisabled) {
      this.fail('exit', `note: ${t.name}[${t.pid}] exited with irqs disabled`, cpu);
      return;
    }
    if (t.ctx.preemptCount !== 0) {
      this.fail('exit', `note: ${t.name}[${t.pid}] exited with preempt_count ${t.ctx.preemptCount}`, cpu);
      return;
    }
    const c = this.cpus[cpu]!;
    c.current = c.runqueue.shift() ?? null;
    this.extra = this.rqOnly[cpu]!;
    this.log(cpu, '', 'note', c.current !== null ? `${t.name} exits; ${c.current.name} runs` : `${t.name} exits; cpu${cpu} idle`);
  }

  private handlerExit(f: HandlerFrame, cpu: number): void {
    const c = this.cpus[cpu]!;
    const count = f.ctx.preemptCount;
    if (f.kind === 'softirq') {
      // handle_softirqs() (kernel/softirq.c) reports a handler that changed preempt_count.
      if (count !== f.entryCount) {
        this.fail('exit', `huh, entered softirq ${f.nr} ${softirq_to_name[f.nr]} with preempt_count ${hex8(f.entryCount)}, exited with ${hex8(count)}?`, cpu);
        return;
      }
    } else if (count !== f.entryCount || f.ctx.irqsDisabled !== f.entryIrqsDisabled) {
      const what = f.kind === 'nmi' ? 'NMI handler' : 'interrupt handler';
      this.fail('exit', `${what} ${f.name} returned with preempt_count 0x${count.toString(16)}, irqs ${f.ctx.irqsDisabled ? 'off' : 'on'} (entered with 0x${f.entryCount.toString(16)}, irqs off)`, cpu);
      return;
    }
    c.nested.pop();
    const under = this.top(cpu);
    this.log(cpu, '', 'note', `${f.name} returns${under !== null ? `; ${under.name} resumes` : ''}`);
    if (f.kind === 'irq') {
      // irq_exit(): softirqs pending and the interrupted context outside interrupt context: invoke_softirq().
      if (under !== null && softirqsMayRun(under.ctx.preemptCount, under.ctx.irqsDisabled) && softirq_pending_of(this.m, cpu) !== 0) {
        this.beginSoftirqs(cpu);
      }
    } else if (f.kind === 'softirq') {
      this.nextSoftirq(cpu);
    }
  }

  /** handle_softirqs(): takes the CPU's pending mask and runs its vectors in order. */
  private beginSoftirqs(cpu: number): void {
    const c = this.cpus[cpu]!;
    c.softirqRestarts = 0;
    this.queuePending(cpu);
    this.nextSoftirq(cpu);
  }

  private queuePending(cpu: number): void {
    const bits = take_softirq_pending(this.m, cpu);
    const q = this.cpus[cpu]!.softirqQueue;
    for (let nr = 0; nr < 32; nr++) if ((bits >>> nr) & 1) q.push(nr);
  }

  /** Runs the next queued softirq; when the round is over, restarts for newly pending ones (up to MAX_SOFTIRQ_RESTART). */
  private nextSoftirq(cpu: number): void {
    const c = this.cpus[cpu]!;
    if (c.softirqQueue.length === 0) {
      if (softirq_pending_of(this.m, cpu) === 0 || ++c.softirqRestarts >= MAX_SOFTIRQ_RESTART) return;
      this.queuePending(cpu);
    }
    const nr = c.softirqQueue.shift()!;
    this.pushSoftirq(cpu, nr, 'runs');
  }

  private pushSoftirq(cpu: number, nr: number, how: string): void {
    const spec = this.softirqs.get(nr);
    const name = softirq_to_name[nr]!;
    if (spec === undefined) {
      this.fail('bug', `softirq ${name} became pending on cpu${cpu}, but the scenario registers no handler for it (World.softirqs)`, cpu);
      return;
    }
    const under = this.top(cpu)!;
    this.softirqRuns++;
    this.pushHandler(cpu, 'softirq', name, spec.run, under.ctx.preemptCount + SOFTIRQ_OFFSET, false, spec.localStart === true, nr);
    this.log(cpu, '', 'softirq', `softirq: ${name} ${how} on cpu${cpu} (over ${under.name})`);
  }

  private pushHandler(cpu: number, kind: HandlerFrame['kind'], name: string, run: HandlerFrame['run'], count: number, irqsOff: boolean, localStart: boolean, nr = -1): void {
    const ctx: ExecContext = { comm: name, pid: 0, kind, preemptCount: count, irqsDisabled: irqsOff, pinned: true, migrationDisabled: 0 };
    this.cpus[cpu]!.nested.push({
      kind, name, ctx, run, cpu, entryCount: count, entryIrqsDisabled: irqsOff, nr, gen: null, pending: null, started: false, done: false, obs: 0x811c9dc5,
      localStart, probeCpu: -1, probeTouches: [],
    });
  }

  /** True while `t` may not be preempted: preemption or interrupts off, or a handler nested over it. */
  private held(t: TaskState): boolean {
    if (t.ctx.preemptCount !== 0 || t.ctx.irqsDisabled) return true;
    const c = this.cpus[t.cpu]!;
    return c.current === t && c.nested.length > 0;
  }

  private mayMigrate(t: TaskState): boolean {
    return !t.done && !t.blocked && !t.ctx.pinned && t.ctx.migrationDisabled === 0 && !this.held(t);
  }

  /** The transitions enabled now: steps (by CPU), interrupts, softirqs, NMIs, then preemptions and migrations. */
  enabled(ignoreBound = false): Transition[] {
    const out: Transition[] = [];
    if (this.violation !== null) return out;
    const m = this.m;
    const n = this.cpus.length;
    const cpuTouches = this.cpuTouches;
    // A step that writes what a sleeping task waits on may wake it: that changes the sleeper's CPU.
    let sleepers: { touches: Touch[]; cpu: number }[] | null = null;
    for (const t of this.tasks) if (t.blocked) (sleepers ??= []).push({ touches: footprint(m, t.pending!, t.cpu), cpu: t.cpu });
    for (let cpu = 0; cpu < n; cpu++) {
      const f = this.top(cpu);
      if (f === null) continue;
      let touches: Touch[];
      if (!f.started) {
        touches = this.firstTouches(f, cpu);
      } else {
        const p = f.pending;
        if (p === null) continue;
        // A sleeping acquisition of a task is offered when it cannot proceed too: it blocks.
        if (p.enabled !== undefined && !(p.sleeps === true && f.kind === 'task')) {
          let ok: boolean;
          try {
            ok = p.enabled();
          } catch {
            ok = true; // let the step run and report what it throws
          }
          if (!ok) continue;
        }
        touches = footprint(m, p, cpu);
      }
      touches.push(cpuTouches[cpu]!);
      // Waking S puts it on its CPU's runqueue, or makes it run there when that CPU is idle.
      if (sleepers !== null) {
        for (const s of sleepers) {
          if (!overlap(touches, s.touches)) continue;
          touches.push(this.rqTouches[s.cpu]!);
          if (s.cpu !== cpu && this.cpus[s.cpu]!.current === null) touches.push(cpuTouches[s.cpu]!);
        }
      }
      const blocking = f.started && f.pending !== null && f.pending.enabled !== undefined;
      // Only a task's exit or block takes from the runqueue; a handler's return does not.
      const unknown = f.kind === 'task' ? this.rqOnly[cpu] : undefined;
      out.push({ choice: this.stepChoices[cpu]!, token: this.stepTokens[cpu]!, touches, blocking, unknown });
    }
    const b = this.budgets;
    const irqsLeft = b.irqs === null || this.interrupts < b.irqs;
    for (const h of this.handlers) {
      if (!irqsLeft || this.budget.get(h.name)! <= 0) continue;
      for (let cpu = 0; cpu < n; cpu++) {
        if ((h.cpus !== undefined && !h.cpus.includes(cpu)) || !this.mayTakeIrq(cpu, h.name)) continue;
        out.push(this.injection('irq', h.name, cpu));
      }
    }
    const softirqsLeft = b.softirqs === null || this.softirqInjections < b.softirqs;
    for (let cpu = 0; cpu < n; cpu++) {
      const pending = softirq_pending_of(m, cpu);
      if (this.softirqs.size === 0 && pending === 0) continue;
      const f = this.top(cpu);
      if (f === null || !m.online.test(cpu) || !softirqsMayRun(f.ctx.preemptCount, f.ctx.irqsDisabled)) continue;
      if (pending !== 0) out.push(this.injection('softirq', '', cpu));
      for (const [nr, s] of this.softirqs) {
        const name = softirq_to_name[nr]!;
        if (!softirqsLeft || this.budget.get(name)! <= 0 || (s.cpus !== undefined && !s.cpus.includes(cpu))) continue;
        out.push(this.injection('softirq', name, cpu));
      }
    }
    const nmisLeft = b.nmis === null || this.nmiCount < b.nmis;
    for (const h of this.nmis) {
      if (!nmisLeft || this.budget.get(h.name)! <= 0) continue;
      for (let cpu = 0; cpu < n; cpu++) {
        const f = this.top(cpu);
        if ((h.cpus !== undefined && !h.cpus.includes(cpu)) || f === null || !m.online.test(cpu) || (f.ctx.preemptCount & NMI_MASK) !== 0) continue;
        out.push(this.injection('nmi', h.name, cpu));
      }
    }
    if (this.eventsUsed >= this.bound && !ignoreBound) return out;
    // Every preemption and migration writes the bound, so the separate budgets need no resource of their own.
    const preemptionsLeft = ignoreBound || b.preemptions === null || this.preemptions < b.preemptions;
    const migrationsLeft = ignoreBound || b.migrations === null || this.migrations < b.migrations;
    for (let cpu = 0; cpu < n && preemptionsLeft; cpu++) {
      const c = this.cpus[cpu]!;
      if (c.current === null || c.runqueue.length === 0 || this.held(c.current)) continue;
      for (const w of c.runqueue) out.push(this.switchTo(cpu, w.name));
    }
    for (const t of this.tasks) {
      if (!migrationsLeft || !this.mayMigrate(t)) continue;
      const running = this.cpus[t.cpu]!.current === t;
      for (let d = 0; d < n; d++) {
        if (d === t.cpu || !m.online.test(d)) continue;
        out.push(this.migration(t.name, t.cpu, d, running, this.cpus[d]!.current === null));
      }
    }
    return out;
  }

  /**
   * The footprint of a frame's first step on `cpu`: its code before the first
   * yield may touch anything, unless the frame declares it local
   * (TaskSpec.localStart); then what its first instruction touches, found by
   * running a throwaway generator of the frame up to its first yield, in a copy
   * of the frame's context on `cpu` with every ghost closed. Local code yields
   * the same instruction there as the real start will (the throwaway is
   * dropped, never resumed or returned: no finally block of it runs). A probe
   * that throws leaves the step conflicting with everything; the real start
   * reports the error. The footprint is kept while the frame stays on the CPU.
   */
  private firstTouches(f: Frame, cpu: number): Touch[] {
    if (!f.localStart) return [ANY_TOUCH];
    if (f.probeCpu !== cpu) {
      f.probeTouches = this.probe(f, cpu);
      f.probeCpu = cpu;
    }
    return f.probeTouches.slice();
  }

  private probe(f: Frame, cpu: number): readonly Touch[] {
    const m = this.m;
    const ctx = m.ctx;
    const was = m.cpu;
    m.ctx = { ...f.ctx };
    m.loadCpu(cpu);
    if (this.ghosts) setGhostGate(m, { reads: NO_NAMES, writes: NO_NAMES, who: f.name });
    try {
      const r = f.run(m).next();
      return r.done === true ? [] : footprint(m, r.value, cpu);
    } catch {
      return [ANY_TOUCH];
    } finally {
      if (this.ghosts) setGhostGate(m, null);
      m.ctx = ctx;
      m.loadCpu(was);
    }
  }

  /** One of the fixed transitions: made on first use (see `fixed`). */
  private fixedAt(kind: 0 | 1 | 2, name: string, i: number, make: () => Transition): Transition {
    // Made on first use: a schedule that never offers one (every replay) makes none.
    const fixed = this.fixed ??= [new Map(), new Map(), new Map()];
    let row = fixed[kind].get(name);
    if (row === undefined) {
      row = [];
      fixed[kind].set(name, row);
    }
    return row[i] ??= make();
  }

  /** An interrupt, softirq (name '' : the CPU's pending ones) or NMI injected on `cpu`: its run state, its budget and its kind's total. */
  private injection(kind: 'irq' | 'softirq' | 'nmi', name: string, cpu: number): Transition {
    return this.fixedAt(0, name, cpu * 3 + (kind === 'irq' ? 0 : kind === 'softirq' ? 1 : 2), () => {
      const choice: Choice = kind === 'softirq' ? { kind, cpu, name: name === '' ? null : name } : { kind, cpu, handler: name };
      const touches: Touch[] = [this.cpuTouches[cpu]!];
      // A threaded handler (PREEMPT_RT) puts the task it preempts back at the head of the runqueue.
      if (kind === 'irq' && this.m.preemptRT) touches.push(this.rqTouches[cpu]!);
      if (name !== '') touches.push({ lo: -1, hi: -1, name: `${SCHED_RESOURCE}${kind}:${name}`, write: true });
      const b = this.budgets;
      const total = name === '' ? null : kind === 'irq' ? (b.irqs === null ? null : TOTAL_IRQS) : kind === 'softirq' ? (b.softirqs === null ? null : TOTAL_SOFTIRQS) : (b.nmis === null ? null : TOTAL_NMIS);
      if (total !== null) touches.push({ lo: -1, hi: -1, name: total, write: true });
      return { choice, token: choiceToken(choice), touches };
    });
  }

  /** cpu switches to the waiting task `to`: what runs there, its runqueue, the bound. */
  private switchTo(cpu: number, to: string): Transition {
    return this.fixedAt(1, to, cpu, () => {
      const choice: Choice = { kind: 'preempt', cpu, to };
      return { choice, token: choiceToken(choice), touches: [this.cpuTouches[cpu]!, this.rqTouches[cpu]!, BOUND_TOUCH] };
    });
  }

  /**
   * Task `task` moves from cpu `from` to cpu `to`. A running task changes what
   * runs on `from` (the head of its runqueue takes over), a waiting one only
   * that runqueue; on `to` it joins the runqueue, or runs at once when `to` is
   * idle (which the runqueue resource also covers: only what writes it makes a
   * CPU idle or busy). So moving a waiting task commutes with every step that
   * does not end or block a task of either CPU.
   */
  private migration(task: string, from: number, to: number, running: boolean, idle: boolean): Transition {
    return this.fixedAt(2, task, ((from * this.cpus.length + to) << 2) | (running ? 2 : 0) | (idle ? 1 : 0), () => {
      const choice: Choice = { kind: 'migrate', task, to };
      const touches: Touch[] = [];
      if (running) touches.push(this.cpuTouches[from]!);
      touches.push(this.rqTouches[from]!);
      if (idle) touches.push(this.cpuTouches[to]!);
      touches.push(this.rqTouches[to]!, BOUND_TOUCH);
      return { choice, token: choiceToken(choice), touches };
    });
  }

  /**
   * The footprint of `t`, the transition apply() just performed: its
   * `touches`, and what it turned out to touch besides (`unknown`): the
   * runqueue of a CPU whose task ended or blocked.
   */
  touchesOf(t: Transition): readonly Touch[] {
    const x = this.extra;
    return x === null ? t.touches : t.touches.concat(x);
  }

  /** A hardirq can be delivered on `cpu` now (threaded with PREEMPT_RT: its thread can run now). */
  private mayTakeIrq(cpu: number, handler: string): boolean {
    const c = this.cpus[cpu]!;
    if (c.current === null || !this.m.online.test(cpu)) return false;
    if (this.m.preemptRT) {
      // The hard part only wakes the thread; it runs where the task could be preempted.
      const live = this.byName.get(handler);
      return (live === undefined || live.done) && !this.held(c.current);
    }
    return !this.top(cpu)!.ctx.irqsDisabled;
  }

  /**
   * Who a transition lets run (for priority schedulers such as PCT): the
   * frame on top of the CPU for a step or a CPU's pending softirqs, the task
   * switched to or moved, the handler injected.
   */
  agentOf(choice: Choice): string {
    switch (choice.kind) {
      case 'step': return this.top(choice.cpu)?.name ?? `cpu${choice.cpu}`;
      case 'preempt': return choice.to;
      case 'migrate': return choice.task;
      case 'irq': case 'nmi': return choice.handler;
      case 'softirq': return choice.name ?? this.top(choice.cpu)?.name ?? `cpu${choice.cpu}`;
    }
  }

  /** Every agent agentOf() can name: the world's tasks, then its hardirq, softirq and NMI handlers. */
  agents(): string[] {
    return [
      ...this.world.tasks.map((t) => t.name), ...this.handlers.map((h) => h.name),
      ...[...this.softirqs.keys()].map((nr) => softirq_to_name[nr]!), ...this.nmis.map((h) => h.name),
    ];
  }

  /** Why `choice` is not enabled now, or null when it is. */
  refusal(choice: Choice): string | null {
    const tok = choiceToken(choice);
    if (this.enabled().some((t) => t.token === tok)) return null;
    const c = (cpu: number): CpuState | undefined => this.cpus[cpu];
    switch (choice.kind) {
      case 'step': {
        const cs = c(choice.cpu);
        if (cs === undefined) return `there is no cpu${choice.cpu}`;
        const f = this.top(choice.cpu);
        if (f === null) return `cpu${choice.cpu} is idle`;
        return `${f.name} on cpu${choice.cpu} cannot proceed (blocked)`;
      }
      case 'preempt': {
        const cs = c(choice.cpu);
        if (cs === undefined) return `there is no cpu${choice.cpu}`;
        if (this.eventsUsed >= this.bound) return `the preemption bound ${this.bound} is used up`;
        if (this.budgets.preemptions !== null && this.preemptions >= this.budgets.preemptions) return `the preemption budget ${this.budgets.preemptions} is used up`;
        if (!cs.runqueue.some((t) => t.name === choice.to)) return `${choice.to} is not waiting on cpu${choice.cpu}`;
        return `${cs.current?.name ?? 'the idle task'} on cpu${choice.cpu} cannot be preempted now (preemption or interrupts disabled, or an interrupt handler runs)`;
      }
      case 'migrate': {
        const t = this.byName.get(choice.task);
        if (t === undefined) return `there is no task ${choice.task}`;
        if (t.done) return `${t.name} has exited`;
        if (this.eventsUsed >= this.bound) return `the preemption bound ${this.bound} is used up`;
        if (this.budgets.migrations !== null && this.migrations >= this.budgets.migrations) return `the migration budget ${this.budgets.migrations} is used up`;
        if (t.cpu === choice.to) return `${t.name} is already on cpu${choice.to}`;
        return `${t.name} cannot migrate now (pinned, migration, preemption or interrupts disabled, an interrupt handler over it, asleep, or cpu${choice.to} unavailable)`;
      }
      case 'irq': {
        if (!this.handlers.some((h) => h.name === choice.handler)) return `there is no interrupt handler ${choice.handler}`;
        if (this.budgets.irqs !== null && this.interrupts >= this.budgets.irqs) return `the interrupt budget ${this.budgets.irqs} is used up`;
        if (this.budget.get(choice.handler)! <= 0) return `${choice.handler} has used its budget`;
        return `cpu${choice.cpu} cannot take ${choice.handler} now (interrupts disabled, no task, or not a CPU it is delivered on)`;
      }
      case 'softirq': {
        if (choice.name === null) return `cpu${choice.cpu} has no pending softirq it can run now`;
        const nr = softirq_to_name.indexOf(choice.name);
        if (nr < 0 || !this.softirqs.has(nr)) return `there is no softirq handler ${choice.name}`;
        if (this.budgets.softirqs !== null && this.softirqInjections >= this.budgets.softirqs) return `the softirq budget ${this.budgets.softirqs} is used up`;
        if (this.budget.get(choice.name)! <= 0) return `${choice.name} has used its budget`;
        return `cpu${choice.cpu} cannot run softirqs now (in interrupt context, bottom halves or interrupts disabled, no task, or not a CPU it is injected on)`;
      }
      case 'nmi': {
        if (!this.nmis.some((h) => h.name === choice.handler)) return `there is no NMI handler ${choice.handler}`;
        if (this.budgets.nmis !== null && this.nmiCount >= this.budgets.nmis) return `the NMI budget ${this.budgets.nmis} is used up`;
        if (this.budget.get(choice.handler)! <= 0) return `${choice.handler} has used its budget`;
        return `cpu${choice.cpu} cannot take ${choice.handler} now (an NMI runs, no task, or not a CPU it is delivered on)`;
      }
    }
  }

  /** Performs one enabled transition, then checks the scenario's state invariant. `token`: the choice's (Transition.token), when the caller has it. */
  apply(choice: Choice, token?: string): void {
    if (this.violation !== null) throw new MachineStateError('scheduler: the schedule already stopped at a violation');
    this.n++;
    this.extra = null;
    this.schedule.push(token ?? choiceToken(choice));
    switch (choice.kind) {
      case 'step': this.doStep(choice.cpu); break;
      case 'preempt': this.doPreempt(choice.cpu, choice.to); break;
      case 'migrate': this.doMigrate(choice.task, choice.to); break;
      case 'irq': this.doIrq(choice.cpu, choice.handler); break;
      case 'softirq': this.doSoftirq(choice.cpu, choice.name); break;
      case 'nmi': this.doNmi(choice.cpu, choice.handler); break;
    }
    if (this.violation === null) this.afterTransition();
    if (this.violation === null && this.checking) this.checkState();
  }

  /** Softirq runs local_bh_enable() asked for, then wake-ups of sleepers whose lock came free. */
  private afterTransition(): void {
    for (let cpu = 0; cpu < this.cpus.length; cpu++) {
      if (take_softirq_run_request(this.m, cpu)) this.beginSoftirqs(cpu);
    }
    for (const t of this.tasks) {
      if (!t.blocked) continue;
      let ok: boolean;
      try {
        ok = t.pending!.enabled!();
      } catch {
        ok = true;
      }
      if (!ok) continue;
      t.blocked = false;
      const c = this.cpus[t.cpu]!;
      if (c.current === null) {
        c.current = t;
        this.log(t.cpu, '', 'note', `${t.name} wakes up and runs on cpu${t.cpu}`);
      } else {
        c.runqueue.push(t);
        this.log(t.cpu, '', 'note', `${t.name} wakes up and waits on cpu${t.cpu}`);
      }
    }
  }

  private doStep(cpu: number): void {
    const f = this.top(cpu)!;
    if (!f.started) {
      this.start(f, cpu);
      if (this.violation !== null || f.done) {
        this.log(cpu, this.who(f), 'step', '(starts and runs to its end)');
        return;
      }
    }
    const p = f.pending!;
    if (p.enabled !== undefined) {
      let ok: boolean;
      try {
        ok = p.enabled();
      } catch {
        ok = true;
      }
      if (!ok) {
        if (p.sleeps && f.kind === 'task') this.block(f as TaskState, cpu);
        else this.log(cpu, this.who(f), 'step', `(starts; waits at ${formatStep(p)})`);
        return;
      }
    }
    this.perform(f, cpu);
  }

  private who(f: Frame): string {
    return `${f.name}${CONTEXT_TAG[f.kind]}`;
  }

  /** The frame performs its pending instruction and runs to its next yield. */
  private perform(f: Frame, cpu: number): void {
    const step = f.pending!;
    const m = this.m;
    this.steps++;
    if (!this.hashing && this.coverage === null && !this.tracing && !(this.checking && this.world.checkStep !== undefined)) {
      // Nothing below looks at the operand (a replayed prefix, a run that counts no states).
      this.resume(f, cpu);
      return;
    }
    // The memory operand, as footprint() resolves it (without making the footprint).
    let addr: number | null = null;
    let bytes = 0;
    let write = false;
    const lo = operandAddress(m, step, cpu);
    if (lo !== null) {
      // A freed pointer: all memory (the step throws when it runs).
      const freed = Number.isNaN(lo);
      addr = freed ? 0 : lo;
      bytes = freed ? Number.MAX_SAFE_INTEGER : operandSize(step);
      write = freed || operandWrites(step);
    }
    if (this.hashing) {
      // What the instruction reads determines what the frame computes next.
      if (addr !== null) {
        const end = Math.min(addr + bytes, m.mappedBytes);
        const u8 = m.u8;
        for (let a = addr; a < end; a++) f.obs = mix(f.obs, u8[a]!);
      }
      f.obs = mix(f.obs, cpu);
    }
    let owner: number | null = null;
    if (addr !== null && m.layout !== null && (this.coverage !== null || this.tracing || (this.checking && this.world.checkStep !== undefined))) {
      const unit = Math.floor((addr - m.layout.base) / m.layout.unitSize);
      if (addr >= m.layout.base && unit < m.nrCpus) owner = unit;
    }
    // Resolved to names once, at the end (coverage.ts): here only what is at hand.
    if (this.coverage !== null && owner !== null) this.coverage.add(`${step.pcp?.sym ?? ''}|${addr}|${bytes}|${step.asm.split(' ', 1)[0]}|${write ? 'w' : 'r'}|${f.kind}|${cpu}|${owner}`);
    // The trace line is written before the instruction runs (its notes come after it) and
    // completed with the value it moved once it has.
    let traced = -1;
    let before: bigint | null = null;
    let size = 0;
    // Where in the scenario the instruction comes from, as it stands before the code runs on.
    const src = f.ctx.src;
    if (this.tracing) {
      traced = this.trace.length;
      this.log(cpu, this.who(f), 'step', formatStep(step, m));
      size = addr === null ? 0 : step.size ?? mnemonicSize(step.asm);
      before = addr !== null && size > 0 && size <= 8 && addr + size <= m.mappedBytes ? readBits(m.view, addr, UNSIGNED[size]!) : null;
    }
    if (this.checking && this.world.checkStep !== undefined) {
      const info: StepInfo = { cpu, who: f.name, irq: f.kind !== 'task', context: f.kind, step, addr, owner, write };
      let v: string | null;
      try {
        v = this.world.checkStep(info);
      } catch (e) {
        v = `checkStep threw ${describeError(e)}`;
      }
      if (v !== null) {
        if (traced >= 0) this.completeTrace(traced, src, cpu, step, addr, owner, null, null);
        this.fail('step-check', v, cpu);
        return;
      }
    }
    this.resume(f, cpu);
    if (traced >= 0) this.completeTrace(traced, src, cpu, step, addr, owner, before, before === null ? null : readBits(m.view, addr!, UNSIGNED[size]!));
  }

  /**
   * A step's trace line, once it ran: the value it moved (`; 3` for a load,
   * `; 3 -> 4` for a store or read-modify-write, signed types signed), then
   * whose copy a plain address reached and where in the scenario it came from.
   * The raw address stays in the entry (`addr`), not in the text.
   */
  private completeTrace(i: number, src: string | undefined, cpu: number, step: Step, addr: number | null, owner: number | null, before: bigint | null, after: bigint | null): void {
    const e = this.trace[i]!;
    let text = e.text;
    if (step.moved !== undefined) text += `    ; ${step.moved}`;
    // A call the step stands for (a lock operation) shows no operand bytes: they are the lock's, not data.
    else if (before !== null && after !== null && !step.asm.startsWith('call ')) {
      const t = step.pcp?.type !== undefined && step.pcp.type !== null && step.pcp.type.size === (step.size ?? mnemonicSize(step.asm)) ? step.pcp.type : null;
      const show = (b: bigint): string => (t !== null && t.name !== 'bool' ? String(fromBits(t, b)) : t?.name === 'bool' ? String(b !== 0n) : b.toString());
      const write = (step.access ?? mnemonicAccess(step.asm)) === 'w';
      // A register-indirect operand (arm64 `[x1]`) is named here, as the instruction does not.
      const named = step.pcp !== undefined && !text.includes(step.pcp.sym) ? `${step.pcp.sym}: ` : '';
      text += write ? `    ; ${named}${show(before)} -> ${show(after)}` : `    ; ${named}${show(before)}`;
    }
    // A plain address into another CPU's unit: the copy belongs to someone else.
    if (owner !== null && owner !== cpu && step.addr !== undefined) text += `    ; cpu${owner}'s copy`;
    if (src !== undefined) text += `    ; ${src}`;
    this.trace[i] = addr === null ? { ...e, text } : { ...e, text, addr };
  }

  /**
   * A sleeping acquisition that cannot proceed: schedule() takes the task off
   * its CPU (kernel/locking/rtmutex.c rt_mutex_slowlock_block()); the next task
   * of the runqueue runs. Sleeping with preemption or interrupts disabled is
   * the kernel's "scheduling while atomic" (kernel/sched/core.c __schedule_bug()).
   */
  private block(t: TaskState, cpu: number): void {
    if (t.ctx.preemptCount !== 0 || t.ctx.irqsDisabled) {
      this.fail('bug', `BUG: scheduling while atomic: ${t.ctx.comm}/${t.pid}/0x${hex8(t.ctx.preemptCount)}${t.ctx.irqsDisabled ? ' (irqs disabled)' : ''}`, cpu);
      return;
    }
    const c = this.cpus[cpu]!;
    t.blocked = true;
    this.blocks++;
    c.current = c.runqueue.shift() ?? null;
    this.extra = this.rqOnly[cpu]!;
    this.log(cpu, t.name, 'step', `${formatStep(t.pending!)}    ; blocks: ${c.current !== null ? `${c.current.name} runs` : `cpu${cpu} idle`}`);
  }

  private doPreempt(cpu: number, to: string): void {
    const c = this.cpus[cpu]!;
    const from = c.current!;
    const w = this.byName.get(to)!;
    c.runqueue.splice(c.runqueue.indexOf(w), 1);
    c.runqueue.push(from);
    c.current = w;
    this.eventsUsed++;
    this.preemptions++;
    this.log(cpu, '', 'preempt', `preempt: ${from.name} -> ${w.name} (${from.name} waits on cpu${cpu})`);
  }

  private doMigrate(name: string, to: number): void {
    const t = this.byName.get(name)!;
    const from = t.cpu;
    const src = this.cpus[from]!;
    const dst = this.cpus[to]!;
    const wasRunning = src.current === t;
    if (wasRunning) {
      src.current = src.runqueue.shift() ?? null;
    } else {
      src.runqueue.splice(src.runqueue.indexOf(t), 1);
    }
    t.cpu = to;
    this.eventsUsed++;
    this.migrations++;
    // What the task will address this CPU's copies through on the new CPU.
    const base = this.m.perCpuOffset[to]!.toString(16);
    const gs = this.m.arch === 'x86_64' ? `GS base 0x${base}` : this.m.arch === 'arm64' ? `TPIDR_EL1 0x${base}` : `__per_cpu_offset[${to}] 0x${base}`;
    if (dst.current === null) {
      dst.current = t;
      this.log(to, '', 'migrate', `migrate: ${t.name} cpu${from} -> cpu${to}, runs there (${gs})`);
    } else {
      dst.runqueue.push(t);
      this.log(to, '', 'migrate', `migrate: ${t.name} cpu${from} -> cpu${to}, waits behind ${dst.current.name} (${gs})`);
    }
    if (wasRunning && src.current !== null) this.log(from, '', 'note', `${src.current.name} runs on cpu${from}`);
  }

  private doIrq(cpu: number, handler: string): void {
    const spec = this.handlers.find((h) => h.name === handler)!;
    this.budget.set(handler, this.budget.get(handler)! - 1);
    this.interrupts++;
    const c = this.cpus[cpu]!;
    if (this.m.preemptRT) {
      // Forced threading (kernel/irq/manage.c irq_thread()): the handler runs in a
      // SCHED_FIFO kthread bound to the CPU, which preempts the interrupted task.
      const t = newTask({ name: handler, cpu, pinned: true, localStart: spec.localStart, run: spec.run }, this.nextPid++, `irq/${handler}`);
      this.tasks.push(t);
      this.byName.set(handler, t);
      const under = c.current!;
      c.runqueue.unshift(under);
      c.current = t;
      this.log(cpu, '', 'irq', `interrupt: ${handler} on cpu${cpu}: its thread irq/${handler} preempts ${under.name}`);
      return;
    }
    const under = this.top(cpu)!;
    this.pushHandler(cpu, 'irq', handler, spec.run, under.ctx.preemptCount + HARDIRQ_OFFSET, true, spec.localStart === true);
    this.log(cpu, '', 'irq', `interrupt: ${handler} on cpu${cpu} (over ${under.name})`);
  }

  private doSoftirq(cpu: number, name: string | null): void {
    if (name === null) {
      this.beginSoftirqs(cpu);
      return;
    }
    this.budget.set(name, this.budget.get(name)! - 1);
    this.softirqInjections++;
    // An interrupt raised it; its irq_exit() runs handle_softirqs(), which takes whatever else is pending too.
    const c = this.cpus[cpu]!;
    c.softirqRestarts = 0;
    const nr = softirq_to_name.indexOf(name);
    const others = take_softirq_pending(this.m, cpu) & ~(1 << nr);
    for (let v = 0; v < 32; v++) if (v === nr || ((others >>> v) & 1)) c.softirqQueue.push(v);
    const first = c.softirqQueue.shift()!;
    this.pushSoftirq(cpu, first, first === nr ? 'raised by an interrupt, runs' : 'runs');
  }

  private doNmi(cpu: number, handler: string): void {
    const spec = this.nmis.find((h) => h.name === handler)!;
    this.budget.set(handler, this.budget.get(handler)! - 1);
    this.nmiCount++;
    const under = this.top(cpu)!;
    // __nmi_enter(): NMI_OFFSET + HARDIRQ_OFFSET.
    this.pushHandler(cpu, 'nmi', handler, spec.run, under.ctx.preemptCount + NMI_OFFSET + HARDIRQ_OFFSET, true, spec.localStart === true);
    this.log(cpu, '', 'nmi', `NMI: ${handler} on cpu${cpu} (over ${under.name})`);
  }

  /** Runs the scenario's state invariant, with the explorer's own context running. */
  private checkState(): void {
    if (this.world.check === undefined) return;
    const v = this.callWorld(false);
    if (v !== null) this.fail('invariant', v, this.m.cpu);
  }

  /** Checks the final invariant (call when `finished`). */
  checkFinal(): void {
    if (this.violation !== null) return;
    const v = this.callWorld(true);
    if (v !== null) this.fail('invariant', v, this.m.cpu);
  }

  /**
   * No transition is enabled but tasks remain. When a preemption, or the
   * migration of a task waiting behind a stuck one, beyond the bound would let
   * something run, the schedule is only cut by the
   * bound (`boundStop`, no violation): the kernel would switch. Otherwise it is
   * a deadlock: every task left sleeps on a lock nobody can release, spins on
   * one, or waits behind them.
   */
  deadlock(): void {
    // Switching a stuck task away, or moving a task that waits behind it, would let the kernel go on.
    const unstuck = this.enabled(true).some((t) => t.choice.kind === 'preempt'
      || (t.choice.kind === 'migrate' && this.cpus[this.byName.get(t.choice.task)!.cpu]!.current?.name !== t.choice.task));
    if (unstuck) {
      this.boundStop = true;
      this.log(this.m.cpu, '', 'note', `${this.usedUp()} used up and nothing else can run: schedule cut`);
      return;
    }
    const stuck = this.tasks.filter((t) => !t.done).map((t) => {
      const c = this.cpus[t.cpu]!;
      if (t.blocked) return `${t.name} on cpu${t.cpu} sleeps at ${formatStep(t.pending!)}`;
      if (c.current !== t) return `${t.name} waits on cpu${t.cpu}`;
      const h = c.nested[c.nested.length - 1];
      if (h !== undefined) return `${this.who(h)} on cpu${t.cpu}${h.pending ? ` at ${formatStep(h.pending)}` : ''} (over ${t.name})`;
      return `${t.name} on cpu${t.cpu}${t.pending ? ` at ${formatStep(t.pending)}` : ''}`;
    });
    this.fail('deadlock', `deadlock: no transition is enabled, but ${stuck.join(', ')} cannot finish`, this.m.cpu);
  }

  /** Which limit on preemptions and migrations stopped the switch that would have helped. */
  private usedUp(): string {
    const b = this.budgets;
    if (this.eventsUsed >= b.bound) return `the preemption bound ${b.bound} is`;
    const p = b.preemptions !== null && this.preemptions >= b.preemptions;
    const mg = b.migrations !== null && this.migrations >= b.migrations;
    if (p && mg) return `the preemption budget ${b.preemptions} and the migration budget ${b.migrations} are`;
    return p ? `the preemption budget ${b.preemptions} is` : `the migration budget ${b.migrations} is`;
  }

  /** The schedule ran too long (a livelock, or a scenario too big for the step limit). */
  livelock(limit: number): void {
    this.fail('livelock', `the schedule did not finish within ${limit} transitions (a livelock, or raise maxSteps)`, this.m.cpu);
  }

  /** Runs the scenario's check() (or final()) with the explorer's own context running. */
  private callWorld(final: boolean): string | null {
    const m = this.m;
    const ctx = m.ctx;
    const cpu = m.cpu;
    m.ctx = explorerCtx();
    try {
      return final ? this.world.final() : this.world.check!();
    } catch (e) {
      return `invariant check threw ${describeError(e)}`;
    } finally {
      m.ctx = ctx;
      m.loadCpu(cpu);
    }
  }

  /**
   * A key of the whole state: per-CPU memory of the watched variables, the CPUs'
   * tasks, runqueues, nested handlers and pending softirqs, each frame's
   * observation history and context, the budgets, the ghosts and the scenario's
   * own state. Two schedules reaching the same key would behave the same from
   * there on.
   */
  stateKey(): string {
    const m = this.m;
    const parts: string[] = [];
    for (let cpu = 0; cpu < this.cpus.length; cpu++) {
      const c = this.cpus[cpu]!;
      const nested = c.nested.map((f) => `${f.name}@${f.started ? f.obs.toString(36) : '-'}:${f.ctx.preemptCount}:${f.ctx.irqsDisabled ? 1 : 0}`).join('>');
      const sirq = softirq_pending_of(m, cpu);
      parts.push(`${c.current?.name ?? '-'}/${nested}/${c.runqueue.map((t) => t.name).join(',')}/${sirq}/${c.softirqQueue.join(',')}`);
    }
    for (const t of this.tasks) {
      parts.push(t.done ? `${t.name}:x` : `${t.name}:${t.cpu}:${t.started ? t.obs.toString(36) : '-'}:${t.ctx.preemptCount}:${t.ctx.irqsDisabled ? 1 : 0}:${t.ctx.migrationDisabled}${t.blocked ? ':z' : ''}`);
    }
    for (const [h, b] of this.budget) parts.push(`${h}=${b}`);
    // What is left of the totals decides what can still be injected.
    const b = this.budgets;
    if (b.irqs !== null || b.softirqs !== null || b.nmis !== null) parts.push(`#${this.interrupts}/${this.softirqInjections}/${this.nmiCount}`);
    for (const p of this.world.watch ?? []) {
      const size = p.type?.size ?? 8;
      for (let cpu = 0; cpu < m.nrCpus; cpu++) {
        const a = m.addressOf(p, cpu);
        let s = '';
        for (let i = 0; i < size; i++) s += m.u8[a + i]!.toString(16);
        parts.push(s);
      }
    }
    if (this.ghosts) parts.push(ghostKey(m));
    if (this.world.stateKey !== undefined) parts.push(this.world.stateKey());
    return parts.join('|');
  }
}

/** One trace line: `#3   cpu1 T2: movl %gs:0x40, %eax`, `#4   cpu0 -- preempt: T1 -> T2 …`. */
export function formatTraceEntry(e: TraceEntry): string {
  if (e === null || typeof e !== 'object' || typeof e.kind !== 'string') throw new TypeError(`formatTraceEntry: expected a trace entry { n, kind, cpu, text }, got ${describe(e)}`);
  const num = `#${e.n}`.padEnd(5);
  switch (e.kind) {
    case 'step': return `${num}cpu${e.cpu} ${e.who}: ${e.text}`;
    case 'violation': return `${''.padEnd(5)}!! ${e.text}`;
    case 'note': return `${''.padEnd(5)}cpu${e.cpu} .. ${e.text}`;
    default: return `${num}cpu${e.cpu} -- ${e.text}`;
  }
}
