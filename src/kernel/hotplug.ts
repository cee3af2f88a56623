/**
 * CPU hotplug (kernel/cpu.c, reduced to what per-CPU data needs): cpu_down()
 * takes a CPU out of the online mask, cpu_up() brings it back, and callbacks
 * registered with cpuhp_setup_state() run at each transition.
 *
 * Two kinds of dynamic state, as the kernel has:
 * - CPUHP_AP_ONLINE_DYN (the default): startup runs on the incoming CPU once it
 *   is online; teardown runs on the dying CPU while it is still online. Both run
 *   in that CPU's hotplug thread `cpuhp/N`, a per-CPU kthread (so
 *   smp_processor_id() is fine there).
 * - CPUHP_BP_PREPARE_DYN: startup runs on the controlling CPU before the CPU
 *   comes up; teardown runs on the controlling CPU after the CPU is dead (how
 *   percpu_counter folds a dead CPU's delta: CPUHP_PERCPU_CNT_DEAD).
 * Bringing up runs PREPARE startups then ONLINE startups, each in registration
 * order; taking down runs ONLINE teardowns then PREPARE teardowns, in reverse.
 *
 * Rules chosen here (documented in the errors too):
 * - The last online CPU cannot go down (the kernel's -EBUSY).
 * - On x86_64, CPU 0 (the boot CPU) cannot go down at all: Linux removed CPU0
 *   hotplug on x86 in v6.5. On arm64 and generic, CPU 0 is like any other.
 * - A task running on the dying CPU is migrated to the lowest other online CPU,
 *   as the scheduler would; if it cannot move (preemption or interrupts off, an
 *   interrupt handler, a per-CPU kthread of that CPU) cpu_down() refuses.
 * - cpu_down()/cpu_up() may sleep, so they refuse to run with preemption or
 *   interrupts disabled, and refuse to nest inside a hotplug callback.
 * - A dead CPU's per-CPU memory stays as it was (the kernel keeps units of
 *   offline CPUs); cpu_up() brings the CPU back with the same memory.
 * - The dying mask (cpu_dying_mask) is set when a CPU starts going down and
 *   cleared when it starts coming up, as cpuhp_set_state() does.
 * - A failed transition is rolled back: a failed cpu_down() leaves the CPU
 *   online and not dying, a failed cpu_up() leaves it offline and dying (as
 *   before the call). Every undo step runs even when one of them fails too;
 *   then the error is an AggregateError holding the original failure first and
 *   each rollback failure after it (the kernel only WARNs about those).
 * - cpuhp_remove_state() cannot fail, as in the kernel: every teardown runs,
 *   the state is removed, and teardown errors are reported afterwards.
 * - A callback that throws leaves the caller's preemption and interrupt state
 *   as it was.
 */
import { Cpumask, type ReadonlyCpumask } from '../lib/cpumask.js';
import { KernelBugError, MachineStateError } from '../errors.js';
import { machineArg, type ExecContext, type Machine } from '../machine.js';
import { PerMachine } from '../per-machine.js';
import { describe } from '../types.js';

/** The dynamic hotplug state ranges cpuhp_setup_state() accepts. */
export type CpuhpStateKind = 'CPUHP_AP_ONLINE_DYN' | 'CPUHP_BP_PREPARE_DYN';
/** A startup or teardown callback of a hotplug state, called for one CPU. */
export type CpuhpCallback = (m: Machine, cpu: number) => void;

/** Options of cpuhp_setup_state(). */
export interface CpuhpOptions {
  /** Which dynamic state range (default CPUHP_AP_ONLINE_DYN). */
  state?: CpuhpStateKind;
}

interface CpuhpStep {
  readonly id: number;
  readonly name: string;
  readonly kind: CpuhpStateKind;
  readonly startup: CpuhpCallback | null;
  readonly teardown: CpuhpCallback | null;
}

interface HotplugState {
  steps: CpuhpStep[];
  nextId: number;
  /** The transition in progress, for the nesting check and messages. */
  busy: string | null;
  readonly dying: Cpumask;
}

const states = new PerMachine<HotplugState>('hotplug');

function hp(m: Machine): HotplugState {
  let st = states.get(m);
  if (st === undefined) {
    st = { steps: [], nextId: 1, busy: null, dying: new Cpumask(m.nrCpus) };
    states.set(m, st);
  }
  return st;
}

/** cpu_dying_mask: CPUs going down or down (and not yet coming back up); a read-only view. */
export function cpu_dying_mask(m: Machine): ReadonlyCpumask {
  return hp(machineArg(m, 'cpu_dying_mask')).dying.readonly('cpu_dying_mask()');
}

/** `cpu_dying(cpu)`: true while `cpu` is being taken down (its teardown callbacks run). */
export function cpu_dying(m: Machine, cpu: number): boolean {
  return hp(machineArg(m, 'cpu_dying')).dying.test(m.checkCpu(cpu, 'cpu_dying'));
}

/** `cpu_online(cpu)`: true when `cpu` is in the online mask. */
export function cpu_online(m: Machine, cpu: number): boolean {
  return machineArg(m, 'cpu_online').online.test(m.checkCpu(cpu, 'cpu_online'));
}

/** Runs an AP callback on `cpu` in its hotplug thread cpuhp/N, then restores the caller. */
function onCpuhpThread(m: Machine, cpu: number, fn: CpuhpCallback): void {
  const ctx = m.ctx;
  const from = m.cpu;
  const thread: ExecContext = { comm: `cpuhp/${cpu}`, pid: 1000 + cpu, kind: 'task', preemptCount: 0, irqsDisabled: false, pinned: true, migrationDisabled: 0 };
  m.ctx = thread;
  m.loadCpu(cpu);
  try {
    fn(m, cpu);
  } finally {
    m.ctx = ctx;
    m.loadCpu(from);
  }
  if (thread.preemptCount !== 0 || thread.irqsDisabled) {
    throw new MachineStateError(
      `callback returned on cpu ${cpu} with preempt_count ${thread.preemptCount}, irqs ${thread.irqsDisabled ? 'off' : 'on'}: an unbalanced preempt_disable/local_irq_save`,
    );
  }
}

/** Runs a BP callback on the controlling CPU in the caller's context. */
function onControlCpu(m: Machine, cpu: number, fn: CpuhpCallback): void {
  const count = m.ctx.preemptCount;
  const irqs = m.ctx.irqsDisabled;
  try {
    fn(m, cpu);
  } catch (e) {
    // A callback that fails half-way must not leave the caller with preemption or interrupts off.
    m.ctx.preemptCount = count;
    m.ctx.irqsDisabled = irqs;
    throw e;
  }
  if (m.ctx.preemptCount !== count || m.ctx.irqsDisabled !== irqs) {
    m.ctx.preemptCount = count;
    m.ctx.irqsDisabled = irqs;
    throw new MachineStateError(`callback for cpu ${cpu} returned with preemption or interrupts changed: an unbalanced preempt_disable/local_irq_save`);
  }
}

function invoke(m: Machine, step: CpuhpStep, cpu: number, bringup: boolean): void {
  const fn = bringup ? step.startup : step.teardown;
  if (fn === null) return;
  if (step.kind === 'CPUHP_AP_ONLINE_DYN') onCpuhpThread(m, cpu, fn);
  else onControlCpu(m, cpu, fn);
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

interface RollbackFailure {
  readonly step: CpuhpStep;
  readonly cpu: number;
  readonly error: unknown;
}

/**
 * Undoes steps after a failure: every step is undone even when one of them
 * fails too, and the failures are returned. The kernel's rollback
 * (cpuhp_reset_state + cpuhp_invoke_callback_range in kernel/cpu.c, v6.x)
 * only WARNs when an undo fails; here the caller reports it with the original
 * error, so neither is lost.
 */
function rollback(m: Machine, undo: ReadonlyArray<readonly [CpuhpStep, number]>, bringup: boolean): RollbackFailure[] {
  const failures: RollbackFailure[] = [];
  for (const [step, cpu] of undo) {
    try {
      invoke(m, step, cpu, bringup);
    } catch (error) {
      failures.push({ step, cpu, error });
    }
  }
  return failures;
}

/**
 * The error of a failed transition: the original failure alone (a
 * MachineStateError whose cause is the callback's error), or, when undoing
 * the steps already done failed as well, an AggregateError holding the
 * original error first and then every rollback error, its message naming them all.
 */
function transitionError(what: string, failed: string, e: unknown, undone: RollbackFailure[], undoVerb: string, outcome: string): Error {
  if (undone.length === 0) return new MachineStateError(`${what}: ${failed} failed: ${errText(e)}; ${outcome}`, { cause: e });
  const also = undone.map((f) => `${undoVerb} of "${f.step.name}" on cpu ${f.cpu} failed: ${errText(f.error)}`).join('; ');
  const left = undone.map((f) => `"${f.step.name}" on cpu ${f.cpu}`).join(', ');
  return new AggregateError(
    [e, ...undone.map((f) => f.error)],
    `${what}: ${failed} failed: ${errText(e)}; the rollback failed too: ${also}; ${outcome}, but the rollback is incomplete (${left} may be half done)`,
    { cause: e },
  );
}

/** Hotplug may sleep: it needs a preemptible task context and no transition in progress. */
function checkCaller(m: Machine, what: string): HotplugState {
  if (!machineArg(m, what).booted) throw new MachineStateError(`${what}: the machine has not booted (call m.boot() first)`);
  const st = hp(m);
  if (st.busy !== null) {
    throw new MachineStateError(`${what}: CPU hotplug is already in progress (${st.busy}); hotplug operations cannot nest inside a hotplug callback`);
  }
  const c = m.ctx;
  if (c.kind === 'irq' || c.preemptCount > 0 || c.irqsDisabled) {
    throw new MachineStateError(
      `${what}: BUG: sleeping function called from invalid context: ${m.pinnedReason()}; CPU hotplug sleeps, call it from preemptible task context`,
    );
  }
  return st;
}

function stepsOf(st: HotplugState, kind: CpuhpStateKind): CpuhpStep[] {
  return st.steps.filter((s) => s.kind === kind);
}

/**
 * cpu_down(cpu) (remove_cpu): runs the ONLINE teardowns on the dying CPU,
 * takes it out of the online mask (migrating the running task off it), then
 * runs the PREPARE (dead) teardowns on the controlling CPU.
 */
export function cpu_down(m: Machine, cpu: number): void {
  machineArg(m, 'cpu_down').checkCpu(cpu, 'cpu_down');
  const pinned = m.booted && m.cpu === cpu ? m.pinnedReason() : null;
  if (pinned !== null) {
    throw new MachineStateError(
      `cpu_down(cpu ${cpu}) refused: the running context ${m.ctx.comm}/${m.ctx.pid} cannot leave cpu ${cpu}: ${pinned}; end that first (preempt_enable/local_irq_restore) or call cpu_down() from another CPU`,
    );
  }
  const st = checkCaller(m, `cpu_down(cpu ${cpu})`);
  if (!m.online.test(cpu)) throw new MachineStateError(`cpu_down: cpu ${cpu} is already offline`);
  if (m.arch === 'x86_64' && cpu === 0) {
    throw new MachineStateError('cpu_down: cpu 0 is the boot CPU and cannot be taken offline on x86_64 (Linux removed CPU0 hotplug in v6.5)');
  }
  if (m.online.weight() === 1) throw new MachineStateError(`cpu_down: cpu ${cpu} is the last online CPU (-EBUSY)`);

  st.busy = `cpu_down(cpu ${cpu})`;
  st.dying.set(cpu);
  try {
    const ap = stepsOf(st, 'CPUHP_AP_ONLINE_DYN').reverse();
    for (let i = 0; i < ap.length; i++) {
      try {
        invoke(m, ap[i], cpu, false);
      } catch (e) {
        // Roll back: the steps already torn down are started again; the CPU stays online and not dying.
        const undone = rollback(m, ap.slice(0, i).reverse().map((step) => [step, cpu] as const), true);
        st.dying.clear(cpu);
        throw transitionError(`cpu_down(cpu ${cpu})`, `teardown of "${ap[i].name}"`, e, undone, 'startup', `cpu ${cpu} stays online`);
      }
    }
    if (m.cpu === cpu) {
      const target = m.online.toArray().find((c) => c !== cpu)!;
      m.loadCpu(target);
    }
    m.online.clear(cpu);
    // The CPU is dead: its teardowns cannot be rolled back, so every one runs and failures are reported after.
    const failures: string[] = [];
    for (const step of stepsOf(st, 'CPUHP_BP_PREPARE_DYN').reverse()) {
      try {
        invoke(m, step, cpu, false);
      } catch (e) {
        failures.push(`"${step.name}": ${errText(e)}`);
      }
    }
    if (failures.length > 0) {
      throw new KernelBugError(`WARNING: DEAD callback error for CPU${cpu}: ${failures.join('; ')} (cpu ${cpu} is offline)`);
    }
  } finally {
    st.busy = null;
  }
}

/**
 * cpu_up(cpu) (add_cpu): PREPARE startups on the controlling CPU, the CPU joins
 * the online mask, then ONLINE startups on it. A failing startup rolls back the
 * steps already done and leaves the CPU offline.
 */
export function cpu_up(m: Machine, cpu: number): void {
  machineArg(m, 'cpu_up').checkCpu(cpu, 'cpu_up');
  const st = checkCaller(m, `cpu_up(cpu ${cpu})`);
  if (!m.present.test(cpu)) throw new MachineStateError(`cpu_up: cpu ${cpu} is not present`);
  if (m.online.test(cpu)) throw new MachineStateError(`cpu_up: cpu ${cpu} is already online`);

  st.busy = `cpu_up(cpu ${cpu})`;
  st.dying.clear(cpu);
  try {
    const bp = stepsOf(st, 'CPUHP_BP_PREPARE_DYN');
    const ap = stepsOf(st, 'CPUHP_AP_ONLINE_DYN');
    const undo = (steps: CpuhpStep[], upTo: number): (readonly [CpuhpStep, number])[] =>
      steps.slice(0, upTo).reverse().map((step) => [step, cpu] as const);
    for (let i = 0; i < bp.length; i++) {
      try {
        invoke(m, bp[i], cpu, true);
      } catch (e) {
        const undone = rollback(m, undo(bp, i), false);
        st.dying.set(cpu);
        throw transitionError(`cpu_up(cpu ${cpu})`, `startup of "${bp[i].name}"`, e, undone, 'teardown', `cpu ${cpu} stays offline`);
      }
    }
    m.online.set(cpu);
    for (let i = 0; i < ap.length; i++) {
      try {
        invoke(m, ap[i], cpu, true);
      } catch (e) {
        const undone = rollback(m, undo(ap, i), false);
        m.online.clear(cpu);
        undone.push(...rollback(m, undo(bp, bp.length), false));
        st.dying.set(cpu);
        throw transitionError(`cpu_up(cpu ${cpu})`, `startup of "${ap[i].name}"`, e, undone, 'teardown', `cpu ${cpu} stays offline`);
      }
    }
  } finally {
    st.busy = null;
  }
}

function checkCallback(what: string, name: string, v: unknown): CpuhpCallback | null {
  if (v === null) return null;
  if (typeof v !== 'function') throw new TypeError(`${what}: ${name} must be a function (m, cpu) => void or null, got ${describe(v)}`);
  return v as CpuhpCallback;
}

function setup(m: Machine, what: string, name: unknown, startup: unknown, teardown: unknown, opts: CpuhpOptions, calls: boolean): number {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError(`${what}: name must be a non-empty string like "subsys:online", got ${describe(name)}`);
  if (opts === null || typeof opts !== 'object') throw new TypeError(`${what}: options must be an object { state }, got ${describe(opts)}`);
  const kind = opts.state ?? 'CPUHP_AP_ONLINE_DYN';
  if (kind !== 'CPUHP_AP_ONLINE_DYN' && kind !== 'CPUHP_BP_PREPARE_DYN') {
    throw new TypeError(`${what}: state must be 'CPUHP_AP_ONLINE_DYN' or 'CPUHP_BP_PREPARE_DYN', got ${describe(kind)}`);
  }
  const step: CpuhpStep = {
    id: 0, name, kind,
    startup: checkCallback(what, 'startup', startup),
    teardown: checkCallback(what, 'teardown', teardown),
  };
  const st = checkCaller(m, what);
  if (calls && step.startup !== null) {
    const done: number[] = [];
    st.busy = `${what}("${name}")`;
    try {
      for (const cpu of m.online) {
        try {
          invoke(m, step, cpu, true);
        } catch (e) {
          const undone = rollback(m, done.reverse().map((c) => [step, c] as const), false);
          throw transitionError(`${what}("${name}")`, `startup on cpu ${cpu}`, e, undone, 'teardown', 'the state was not installed');
        }
        done.push(cpu);
      }
    } finally {
      st.busy = null;
    }
  }
  const installed = { ...step, id: st.nextId++ };
  st.steps.push(installed);
  return installed.id;
}

/**
 * cpuhp_setup_state(state, name, startup, teardown), with the state as an
 * option: installs the callbacks and runs startup for every online CPU now.
 * Returns the state number for cpuhp_remove_state().
 */
export function cpuhp_setup_state(m: Machine, name: string, startup: CpuhpCallback | null, teardown: CpuhpCallback | null, opts: CpuhpOptions = {}): number {
  return setup(m, 'cpuhp_setup_state', name, startup, teardown, opts, true);
}

/** cpuhp_setup_state_nocalls(): installs the callbacks without running startup now. */
export function cpuhp_setup_state_nocalls(m: Machine, name: string, startup: CpuhpCallback | null, teardown: CpuhpCallback | null, opts: CpuhpOptions = {}): number {
  return setup(m, 'cpuhp_setup_state_nocalls', name, startup, teardown, opts, false);
}

function remove(m: Machine, what: string, id: unknown, calls: boolean): void {
  const st = checkCaller(m, what);
  const idx = st.steps.findIndex((s) => s.id === id);
  if (idx < 0) throw new MachineStateError(`${what}: no hotplug state ${describe(id)} is installed`);
  const step = st.steps[idx];
  // The kernel's removal cannot fail (__cpuhp_remove_state_cpuslocked, kernel/cpu.c):
  // every online CPU's teardown runs and the state goes away whatever they return.
  let failures: RollbackFailure[] = [];
  if (calls && step.teardown !== null) {
    st.busy = `${what}("${step.name}")`;
    try {
      failures = rollback(m, [...m.online].map((cpu) => [step, cpu] as const), false);
    } finally {
      st.busy = null;
    }
  }
  st.steps.splice(idx, 1);
  if (failures.length > 0) {
    const text = failures.map((f) => `cpu ${f.cpu}: ${errText(f.error)}`).join('; ');
    const msg = `${what}("${step.name}"): teardown failed on ${text}; the state was removed anyway (removal cannot fail), and its teardown ran on every online CPU`;
    throw failures.length === 1 ? new MachineStateError(msg, { cause: failures[0].error }) : new AggregateError(failures.map((f) => f.error), msg);
  }
}

/** cpuhp_remove_state(): runs teardown for every online CPU, then removes the state. */
export function cpuhp_remove_state(m: Machine, state: number): void {
  remove(m, 'cpuhp_remove_state', state, true);
}

/** cpuhp_remove_state_nocalls(): removes the state without running teardown. */
export function cpuhp_remove_state_nocalls(m: Machine, state: number): void {
  remove(m, 'cpuhp_remove_state_nocalls', state, false);
}
