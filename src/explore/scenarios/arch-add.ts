/**
 * Issue 7: the same raw_cpu_add on three architectures, different steps.
 *
 * Two tasks start on cpu0 and each do raw_cpu_add(counter, 1) (or
 * this_cpu_add) from preemptible code, through the architecture's generated
 * stepped op. On x86-64, raw_cpu_add is `addl $1, %gs:counter`: one
 * instruction, so no preemption or migration falls inside it and no schedule
 * loses an increment — raw is "unprotected" but cannot be split. On arm64 and
 * asm-generic it is raw_cpu_ptr() (mrs + add, or __per_cpu_offset[cpu]),
 * computed once, then load / add / store: migrated between the load and the
 * store, the task on cpu1 stores into cpu0's copy, and an increment made there
 * meanwhile is lost. this_cpu_add is safe everywhere: arm64 disables
 * preemption around one stadd, asm-generic disables interrupts around the
 * plain C, x86-64 is one instruction.
 */
import * as arm64 from '../../../generated/arm64/percpu-stepped.js';
import * as generic from '../../../generated/generic/percpu-stepped.js';
import * as x86_64 from '../../../generated/x86_64/percpu-stepped.js';
import { DEFINE_PER_CPU } from '../../define.js';
import { Machine, type Arch } from '../../machine.js';
import type { PerCpuPtr } from '../../percpu-ptr.js';
import type { StepGen } from '../../sched/step.js';
import { splitScenario, type Scenario, type StepInfo } from '../../sched/task.js';
import { lostUpdate } from './common.js';

type AddOp = (m: Machine, pcp: PerCpuPtr<'u32'>, val: number) => StepGen<void>;
export type ArchAddOp = 'raw_cpu_add' | 'this_cpu_add';

const STEPPED: Record<Arch, Record<ArchAddOp, AddOp>> = {
  x86_64: { raw_cpu_add: x86_64.raw_cpu_add_4, this_cpu_add: x86_64.this_cpu_add_4 },
  arm64: { raw_cpu_add: arm64.raw_cpu_add_4, this_cpu_add: arm64.this_cpu_add_4 },
  generic: { raw_cpu_add: generic.raw_cpu_add_4, this_cpu_add: generic.this_cpu_add_4 },
};

/** The per-CPU discipline: a task's store into a CPU's copy happens on that CPU. */
function ownCopyOnly(s: StepInfo): string | null {
  if (!s.write || s.irq || s.owner === null || s.owner === s.cpu || s.step.addr === undefined) return null;
  return `${s.who} on cpu${s.cpu} stores into cpu${s.owner}'s copy of DEFINE_PER_CPU(u32, counter) (0x${s.addr!.toString(16)}): `
    + `it migrated after raw_cpu_ptr() computed the address on cpu${s.owner}, so it corrupts another CPU's copy`;
}

/**
 * A task's body: the op once. Bound into each world rather than a generator
 * closure made in build(), which V8 runs far slower when build() makes it
 * afresh for every schedule (docs/explorer.md).
 */
function* addOnce(this: { readonly add: AddOp; readonly m: Machine; readonly counter: PerCpuPtr<'u32'> }): StepGen<void> {
  yield* this.add(this.m, this.counter, 1);
}

/**
 * The scenario `<op>-<arch>` (e.g. `raw-add-generic`): tasks T1 and T2 on cpu0, each `<op>(counter, 1)`.
 * The explorer finds a violation exactly for raw_cpu_add on arm64 and asm-generic.
 */
export function archAddScenario(arch: Arch, op: ArchAddOp): Scenario {
  const add = STEPPED[arch][op];
  const split = op === 'raw_cpu_add' && arch !== 'x86_64';
  const short = op === 'raw_cpu_add' ? 'raw-add' : 'this-add';
  return splitScenario({
    name: `${short}-${arch.replace('_', '-')}`,
    title: `${op}(counter, 1) from two preemptible tasks on ${arch}`,
    description:
      `T1 and T2 start on cpu0 (T2 waiting); each does ${op}(counter, 1) with the ${arch} stepped op `
      + `(${split ? 'raw_cpu_ptr computed once, then load/add/store' : op === 'this_cpu_add' && arch !== 'x86_64' ? `${arch === 'arm64' ? 'preemption' : 'interrupts'} off around the update` : 'one instruction'}). `
      + 'Invariants: after all tasks the sum across CPUs is 2; a task stores only into the copy of the CPU it runs on. '
      + 'Built without CONFIG_DEBUG_PREEMPT.',
    expect: split ? 'violation' : 'none',
    cpus: 2,
    setup() {
      const m = new Machine({ cpus: 2, arch });
      const counter = DEFINE_PER_CPU(m, 'u32', 'counter');
      m.boot();
      m.debugPreempt = false;
      return { m, counter };
    },
    start({ m, counter }) {
      const body = addOnce.bind({ add, m, counter });
      return {
        m,
        tasks: [{ name: 'T1', cpu: 0, run: body }, { name: 'T2', cpu: 0, run: body }],
        watch: [counter],
        checkStep: ownCopyOnly,
        final: () => lostUpdate(m, counter, 2),
      };
    },
  });
}

export const rawAddX86 = archAddScenario('x86_64', 'raw_cpu_add');
export const rawAddArm64 = archAddScenario('arm64', 'raw_cpu_add');
export const rawAddGeneric = archAddScenario('generic', 'raw_cpu_add');
export const thisAddArm64 = archAddScenario('arm64', 'this_cpu_add');
export const thisAddGeneric = archAddScenario('generic', 'this_cpu_add');

/** In the order the explorer lists them. */
export const ARCH_ADD_SCENARIOS: readonly Scenario[] = [rawAddX86, rawAddArm64, rawAddGeneric, thisAddArm64, thisAddGeneric];
