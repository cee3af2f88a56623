/**
 * The scheduler of one schedule: the CPUs' current tasks, runqueues and
 * interrupt frames, the transitions enabled at each yield point, and what
 * each transition does.
 *
 * A transition is one of
 *   step     cpu c performs the pending instruction of its top frame (the
 *            interrupt handler if one runs, else the current task) and runs
 *            the frame's code up to its next yield;
 *   preempt  cpu c switches from its current task to a task on its runqueue;
 *   migrate  a task leaves its CPU (running or waiting) for another CPU's
 *            runqueue, running there at once if that CPU is idle: the next
 *            step it performs loads the new CPU's GS base;
 *   irq      a registered handler is delivered on cpu c: it runs in an 'irq'
 *            ExecContext nested over c's task until it returns.
 * The scheduler never preempts or migrates a task whose preemption or
 * interrupts are disabled (or that an interrupt handler is nested over), and
 * never delivers an interrupt to a CPU whose running context has interrupts
 * disabled. Which transition comes next is decided outside: by the explorer's
 * search, a seeded random choice, or a schedule string being replayed.
 *
 * Preemptions and migrations together are bounded per schedule (the CHESS
 * preemption bound); interrupts are bounded by each handler's budget; the
 * interleaving of instructions on different CPUs is not bounded.
 */
import { KernelBugError, MachineStateError } from '../errors.js';
import { NR_CPUS_MAX, type ExecContext, type Machine } from '../machine.js';
import { describe } from '../types.js';
import { footprint, formatStep, type Step, type Touch } from './step.js';
import {
  HARDIRQ_OFFSET, type CpuState, type Frame, type IrqFrame, type IrqSpec, type StepInfo, type TaskState, type World,
} from './task.js';

export type Choice =
  | { readonly kind: 'step'; readonly cpu: number }
  | { readonly kind: 'preempt'; readonly cpu: number; readonly to: string }
  | { readonly kind: 'migrate'; readonly task: string; readonly to: number }
  | { readonly kind: 'irq'; readonly cpu: number; readonly handler: string };

/** An enabled transition with what it touches (for the reduction). */
export interface Transition {
  readonly choice: Choice;
  /** The schedule-string token; stable for the same transition in later states. */
  readonly token: string;
  readonly touches: readonly Touch[];
}

export type ViolationKind = 'invariant' | 'bug' | 'deadlock' | 'exit' | 'step-check' | 'livelock';

export interface TraceEntry {
  /** Transition number (1-based); notes that follow a transition repeat its number. */
  readonly n: number;
  readonly cpu: number;
  /** Task or handler name; '' for a scheduler line. */
  readonly who: string;
  readonly kind: 'step' | 'preempt' | 'migrate' | 'irq' | 'note' | 'violation';
  readonly text: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SCHED_BOUND = 'sched:bound';

/** The token of a choice in a schedule string: `0` step on cpu0, `p0:T2`, `mT1:1`, `i0:tick`. */
export function choiceToken(c: Choice): string {
  switch (c.kind) {
    case 'step': return String(c.cpu);
    case 'preempt': return `p${c.cpu}:${c.to}`;
    case 'migrate': return `m${c.task}:${c.to}`;
    case 'irq': return `i${c.cpu}:${c.handler}`;
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
  throw new SyntaxError(
    `schedule: bad token '${tok}': expected <cpu> (a step), p<cpu>:<task> (preempt), m<task>:<cpu> (migrate) or i<cpu>:<handler> (interrupt)`,
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

/** The context of the explorer itself, made running while invariants are checked. */
function explorerCtx(): ExecContext {
  return { comm: 'explorer', pid: 0, kind: 'task', preemptCount: 0, irqsDisabled: false, pinned: true };
}

export class Scheduler {
  readonly m: Machine;
  readonly world: World;
  readonly bound: number;
  readonly cpus: CpuState[];
  readonly tasks: TaskState[];
  private readonly byName = new Map<string, TaskState>();
  private readonly handlers: IrqSpec[];
  /** Remaining deliveries per handler. */
  readonly budget: Map<string, number>;
  /** Preemptions + migrations so far (limited by `bound`). */
  eventsUsed = 0;
  preemptions = 0;
  migrations = 0;
  interrupts = 0;
  steps = 0;
  /** Transitions performed. */
  n = 0;
  readonly trace: TraceEntry[] = [];
  readonly schedule: string[] = [];
  violation: string | null = null;
  violationKind: ViolationKind | null = null;
  /** Record the trace (off for the explorer's fast path; replays record). */
  tracing: boolean;

  constructor(world: World, bound: number, tracing = true) {
    this.world = world;
    this.m = world.m;
    this.bound = bound;
    this.tracing = tracing;
    const m = world.m;
    if (!m.booted) throw new MachineStateError('scheduler: the scenario must boot its machine (m.boot()) before building the world');
    if (world.tasks.length === 0) throw new RangeError('scheduler: a world needs at least one task');
    this.cpus = Array.from({ length: m.nrCpus }, () => ({ current: null, irq: null, runqueue: [] }));
    this.tasks = [];
    let pid = 101;
    for (const spec of world.tasks) {
      if (!NAME.test(spec.name)) throw new TypeError(`scheduler: task name '${spec.name}' must be letters, digits and _ (it appears in schedule strings)`);
      if (this.byName.has(spec.name)) throw new TypeError(`scheduler: two tasks are named '${spec.name}'`);
      m.checkCpu(spec.cpu, `task ${spec.name}`);
      if (!m.online.test(spec.cpu)) throw new MachineStateError(`scheduler: task ${spec.name} starts on cpu ${spec.cpu}, which is offline`);
      const ctx: ExecContext = { comm: spec.name, pid, kind: 'task', preemptCount: 0, irqsDisabled: false, pinned: spec.pinned ?? false };
      const t: TaskState = {
        kind: 'task', name: spec.name, spec, pid: pid++, ctx, gen: null, pending: null, started: false, done: false, obs: 0x811c9dc5, cpu: spec.cpu,
      };
      this.tasks.push(t);
      this.byName.set(t.name, t);
      const c = this.cpus[spec.cpu]!;
      if (c.current === null) c.current = t;
      else c.runqueue.push(t);
    }
    this.handlers = [...(world.irqs ?? [])];
    this.budget = new Map();
    for (const h of this.handlers) {
      if (!NAME.test(h.name)) throw new TypeError(`scheduler: handler name '${h.name}' must be letters, digits and _`);
      if (this.budget.has(h.name) || this.byName.has(h.name)) throw new TypeError(`scheduler: the name '${h.name}' is used twice`);
      const b = h.budget ?? 1;
      if (!Number.isInteger(b) || b < 0) throw new RangeError(`scheduler: handler ${h.name}: budget must be a non-negative integer, got ${b}`);
      for (const c of h.cpus ?? []) m.checkCpu(c, `handler ${h.name}`);
      this.budget.set(h.name, b);
    }
    // The tasks that start running run their code up to the first instruction.
    for (let cpu = 0; cpu < this.cpus.length && this.violation === null; cpu++) {
      const cur = this.cpus[cpu]!.current;
      if (cur !== null) this.start(cur, cpu);
    }
    if (this.violation === null) this.checkState();
  }

  /** Every task has finished and no handler runs. */
  get finished(): boolean {
    return this.tasks.every((t) => t.done) && this.cpus.every((c) => c.irq === null);
  }

  private top(cpu: number): Frame | null {
    const c = this.cpus[cpu]!;
    return c.irq ?? c.current;
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

  /** Runs a frame's code up to its first yield, on `cpu`. */
  private start(f: Frame, cpu: number): void {
    if (f.started) return;
    f.started = true;
    const m = this.m;
    m.ctx = f.ctx;
    m.loadCpu(cpu);
    try {
      f.gen = f.kind === 'task' ? (f as TaskState).spec.run(m) : (f as IrqFrame).spec.run(m);
    } catch (e) {
      this.fail('bug', `${f.name} on cpu${cpu}: ${describeError(e)}${f.ctx.src !== undefined ? ` (at ${f.ctx.src})` : ''}`, cpu);
      return;
    }
    this.resume(f, cpu);
  }

  /** Resumes a frame: it performs its pending instruction and runs to its next yield. */
  private resume(f: Frame, cpu: number): void {
    const m = this.m;
    m.ctx = f.ctx;
    m.loadCpu(cpu);
    let r: IteratorResult<Step, void>;
    try {
      r = f.gen!.next();
    } catch (e) {
      f.pending = null;
      this.fail('bug', `${f.name} on cpu${cpu}: ${describeError(e)}${f.ctx.src !== undefined ? ` (at ${f.ctx.src})` : ''}`, cpu);
      return;
    }
    if (r.done) {
      f.pending = null;
      f.done = true;
      if (f.kind === 'task') this.taskExit(f as TaskState, cpu);
      else this.irqExit(f as IrqFrame, cpu);
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
    if (c.current !== null) {
      this.log(cpu, '', 'note', `${t.name} exits; ${c.current.name} runs`);
      this.start(c.current, cpu);
    } else {
      this.log(cpu, '', 'note', `${t.name} exits; cpu${cpu} idle`);
    }
  }

  private irqExit(f: IrqFrame, cpu: number): void {
    if (f.ctx.preemptCount !== HARDIRQ_OFFSET || !f.ctx.irqsDisabled) {
      this.fail('exit', `interrupt handler ${f.name} returned with preempt_count 0x${f.ctx.preemptCount.toString(16)}, irqs ${f.ctx.irqsDisabled ? 'off' : 'on'} (entered with 0x${HARDIRQ_OFFSET.toString(16)}, irqs off)`, cpu);
      return;
    }
    this.cpus[cpu]!.irq = null;
    const under = this.cpus[cpu]!.current;
    this.log(cpu, '', 'note', `${f.name} returns${under ? `; ${under.name} resumes` : ''}`);
  }

  /** True while `t` may not be preempted or migrated: preemption or interrupts off, or a handler nested over it. */
  private held(t: TaskState): boolean {
    if (t.ctx.preemptCount !== 0 || t.ctx.irqsDisabled) return true;
    const c = this.cpus[t.cpu]!;
    return c.current === t && c.irq !== null;
  }

  /** The transitions enabled now, steps first (by CPU), then interrupts, preemptions, migrations. */
  enabled(): Transition[] {
    const out: Transition[] = [];
    if (this.violation !== null) return out;
    const m = this.m;
    const n = this.cpus.length;
    for (let cpu = 0; cpu < n; cpu++) {
      const f = this.top(cpu);
      if (f === null || f.pending === null) continue;
      const p = f.pending;
      if (p.enabled !== undefined) {
        let ok: boolean;
        try {
          ok = p.enabled();
        } catch {
          ok = true; // let the step run and report what it throws
        }
        if (!ok) continue;
      }
      const touches = footprint(m, p, cpu);
      touches.push({ lo: -1, hi: -1, name: `cpu:${cpu}`, write: true });
      out.push({ choice: { kind: 'step', cpu }, token: String(cpu), touches });
    }
    for (const h of this.handlers) {
      if ((this.budget.get(h.name) ?? 0) <= 0) continue;
      for (let cpu = 0; cpu < n; cpu++) {
        if (h.cpus !== undefined && !h.cpus.includes(cpu)) continue;
        const c = this.cpus[cpu]!;
        if (c.irq !== null || c.current === null || c.current.ctx.irqsDisabled || !m.online.test(cpu)) continue;
        const choice: Choice = { kind: 'irq', cpu, handler: h.name };
        out.push({
          choice, token: choiceToken(choice),
          touches: [{ lo: -1, hi: -1, name: `cpu:${cpu}`, write: true }, { lo: -1, hi: -1, name: `irq:${h.name}`, write: true }],
        });
      }
    }
    if (this.eventsUsed >= this.bound) return out;
    for (let cpu = 0; cpu < n; cpu++) {
      const c = this.cpus[cpu]!;
      if (c.current === null || c.runqueue.length === 0 || this.held(c.current)) continue;
      for (const w of c.runqueue) {
        const choice: Choice = { kind: 'preempt', cpu, to: w.name };
        out.push({
          choice, token: choiceToken(choice),
          touches: [{ lo: -1, hi: -1, name: `cpu:${cpu}`, write: true }, { lo: -1, hi: -1, name: SCHED_BOUND, write: true }],
        });
      }
    }
    for (const t of this.tasks) {
      if (t.done || t.ctx.pinned || this.held(t)) continue;
      for (let d = 0; d < n; d++) {
        if (d === t.cpu || !m.online.test(d)) continue;
        const choice: Choice = { kind: 'migrate', task: t.name, to: d };
        out.push({
          choice, token: choiceToken(choice),
          touches: [
            { lo: -1, hi: -1, name: `cpu:${t.cpu}`, write: true }, { lo: -1, hi: -1, name: `cpu:${d}`, write: true },
            { lo: -1, hi: -1, name: SCHED_BOUND, write: true },
          ],
        });
      }
    }
    return out;
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
        const f = cs.irq ?? cs.current;
        if (f === null) return `cpu${choice.cpu} is idle`;
        return `${f.name} on cpu${choice.cpu} cannot proceed (blocked)`;
      }
      case 'preempt': {
        const cs = c(choice.cpu);
        if (cs === undefined) return `there is no cpu${choice.cpu}`;
        if (this.eventsUsed >= this.bound) return `the preemption bound ${this.bound} is used up`;
        if (!cs.runqueue.some((t) => t.name === choice.to)) return `${choice.to} is not waiting on cpu${choice.cpu}`;
        return `${cs.current?.name ?? 'the idle task'} on cpu${choice.cpu} cannot be preempted now (preemption or interrupts disabled, or an interrupt handler runs)`;
      }
      case 'migrate': {
        const t = this.byName.get(choice.task);
        if (t === undefined) return `there is no task ${choice.task}`;
        if (t.done) return `${t.name} has exited`;
        if (this.eventsUsed >= this.bound) return `the preemption bound ${this.bound} is used up`;
        if (t.cpu === choice.to) return `${t.name} is already on cpu${choice.to}`;
        return `${t.name} cannot migrate now (pinned, preemption or interrupts disabled, an interrupt handler over it, or cpu${choice.to} unavailable)`;
      }
      case 'irq': {
        if (!this.budget.has(choice.handler)) return `there is no interrupt handler ${choice.handler}`;
        if (this.budget.get(choice.handler)! <= 0) return `${choice.handler} has used its budget`;
        return `cpu${choice.cpu} cannot take ${choice.handler} now (interrupts disabled, a handler already runs, no task, or not a CPU it is delivered on)`;
      }
    }
  }

  /** Performs one enabled transition, then checks the scenario's state invariant. */
  apply(choice: Choice): void {
    if (this.violation !== null) throw new MachineStateError('scheduler: the schedule already stopped at a violation');
    this.n++;
    this.schedule.push(choiceToken(choice));
    switch (choice.kind) {
      case 'step': this.doStep(choice.cpu); break;
      case 'preempt': this.doPreempt(choice.cpu, choice.to); break;
      case 'migrate': this.doMigrate(choice.task, choice.to); break;
      case 'irq': this.doIrq(choice.cpu, choice.handler); break;
    }
    if (this.violation === null) this.checkState();
  }

  private doStep(cpu: number): void {
    const f = this.top(cpu)!;
    const step = f.pending!;
    const m = this.m;
    this.steps++;
    let addr: number | null = null;
    let write = false;
    for (const t of footprint(m, step, cpu)) {
      if (t.name === '') {
        addr = t.lo;
        write = t.write;
        // What the instruction reads determines what the frame computes next.
        for (let a = t.lo; a < t.hi && a < m.mappedBytes; a++) f.obs = mix(f.obs, m.u8[a]!);
      }
    }
    f.obs = mix(f.obs, cpu);
    let text = `${formatStep(step)}`;
    let owner: number | null = null;
    if (addr !== null && m.layout !== null) {
      const unit = Math.floor((addr - m.layout.base) / m.layout.unitSize);
      if (addr >= m.layout.base && unit < m.nrCpus) owner = unit;
      // A plain address into another CPU's unit: the copy belongs to someone else.
      if (owner !== null && owner !== cpu && step.addr !== undefined) text += `    ; cpu${owner}'s copy`;
    }
    if (f.ctx.src !== undefined) text += `    ; ${f.ctx.src}`;
    this.log(cpu, f.kind === 'irq' ? `${f.name}[irq]` : f.name, 'step', text);
    if (this.world.checkStep !== undefined) {
      const info: StepInfo = { cpu, who: f.name, irq: f.kind === 'irq', step, addr, owner, write };
      let v: string | null;
      try {
        v = this.world.checkStep(info);
      } catch (e) {
        v = `checkStep threw ${describeError(e)}`;
      }
      if (v !== null) {
        this.fail('step-check', v, cpu);
        return;
      }
    }
    this.resume(f, cpu);
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
    this.start(w, cpu);
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
    if (wasRunning && src.current !== null) {
      this.log(from, '', 'note', `${src.current.name} runs on cpu${from}`);
      this.start(src.current, from);
    }
    if (this.violation === null && dst.current === t) this.start(t, to);
  }

  private doIrq(cpu: number, handler: string): void {
    const spec = this.handlers.find((h) => h.name === handler)!;
    this.budget.set(handler, this.budget.get(handler)! - 1);
    this.interrupts++;
    const under = this.cpus[cpu]!.current!;
    const ctx: ExecContext = { comm: handler, pid: 0, kind: 'irq', preemptCount: HARDIRQ_OFFSET, irqsDisabled: true, pinned: true };
    const f: IrqFrame = { kind: 'irq', name: handler, spec, ctx, gen: null, pending: null, started: false, done: false, obs: 0x811c9dc5, cpu };
    this.cpus[cpu]!.irq = f;
    this.log(cpu, '', 'irq', `interrupt: ${handler} on cpu${cpu} (over ${under.name})`);
    this.start(f, cpu);
  }

  /** Runs the scenario's state invariant, with the explorer's own context running. */
  private checkState(): void {
    if (this.world.check === undefined) return;
    const v = this.callWorld(() => this.world.check!());
    if (v !== null) this.fail('invariant', v, this.m.cpu);
  }

  /** Checks the final invariant (call when `finished`). */
  checkFinal(): void {
    if (this.violation !== null) return;
    const v = this.callWorld(() => this.world.final());
    if (v !== null) this.fail('invariant', v, this.m.cpu);
  }

  /** No transition is enabled but tasks remain: a deadlock (or a spin with nothing left to release it). */
  deadlock(): void {
    const stuck = this.tasks.filter((t) => !t.done).map((t) => `${t.name} on cpu${t.cpu}${t.pending ? ` at ${formatStep(t.pending)}` : ''}`);
    this.fail('deadlock', `deadlock: no transition is enabled, but ${stuck.join(', ')} cannot finish`, this.m.cpu);
  }

  /** The schedule ran too long (a livelock, or a scenario too big for the step limit). */
  livelock(limit: number): void {
    this.fail('livelock', `the schedule did not finish within ${limit} transitions (a livelock, or raise maxSteps)`, this.m.cpu);
  }

  private callWorld(fn: () => string | null): string | null {
    const m = this.m;
    const ctx = m.ctx;
    const cpu = m.cpu;
    m.ctx = explorerCtx();
    try {
      return fn();
    } catch (e) {
      return `invariant check threw ${describeError(e)}`;
    } finally {
      m.ctx = ctx;
      m.loadCpu(cpu);
    }
  }

  /**
   * A key of the whole state: per-CPU memory of the watched variables, the CPUs'
   * tasks, runqueues and handlers, each frame's observation history and context,
   * the handler budgets and the scenario's own state. Two schedules reaching the
   * same key would behave the same from there on.
   */
  stateKey(): string {
    const m = this.m;
    const parts: string[] = [];
    for (const c of this.cpus) {
      parts.push(`${c.current?.name ?? '-'}/${c.irq ? `${c.irq.name}@${c.irq.obs.toString(36)}` : '-'}/${c.runqueue.map((t) => t.name).join(',')}`);
    }
    for (const t of this.tasks) {
      parts.push(t.done ? `${t.name}:x` : `${t.name}:${t.cpu}:${t.obs.toString(36)}:${t.ctx.preemptCount}:${t.ctx.irqsDisabled ? 1 : 0}`);
    }
    for (const [h, b] of this.budget) parts.push(`${h}=${b}`);
    for (const p of this.world.watch ?? []) {
      const size = p.type?.size ?? 8;
      for (let cpu = 0; cpu < m.nrCpus; cpu++) {
        const a = m.addressOf(p, cpu);
        let s = '';
        for (let i = 0; i < size; i++) s += m.u8[a + i]!.toString(16);
        parts.push(s);
      }
    }
    if (this.world.stateKey !== undefined) parts.push(this.world.stateKey());
    return parts.join('|');
  }
}

/** One trace line: `#3   cpu1 T2: movl %gs:0x40, %eax`, `#4   cpu0 -- preempt: T1 -> T2 …`. */
export function formatTraceEntry(e: TraceEntry): string {
  const num = `#${e.n}`.padEnd(5);
  switch (e.kind) {
    case 'step': return `${num}cpu${e.cpu} ${e.who}: ${e.text}`;
    case 'violation': return `${''.padEnd(5)}!! ${e.text}`;
    case 'note': return `${''.padEnd(5)}cpu${e.cpu} .. ${e.text}`;
    default: return `${num}cpu${e.cpu} -- ${e.text}`;
  }
}
