/**
 * What the C functions and objects the shipped headers declare are bound to in
 * the runtime (src/): the TypeScript each call becomes, and the module that
 * provides it. The header gives the C prototype (so arguments are converted
 * and checked as a C compiler would); the binding gives the TypeScript, where
 * `$0`, `$1`, … are the converted arguments in the representation of the
 * parameter's C type (number up to 32 bits, bigint for 64).
 *
 * None of these is a step: they act on the running context (preempt_count,
 * the interrupt flag) or on machine constants, which no other CPU touches.
 */

export interface Binding {
  /** The TypeScript of a call; `$n` is argument n. */
  readonly ts: string;
  /** Imports it needs: [repo-relative module without extension, exported name]. */
  readonly imports: readonly (readonly [string, string])[];
}

const PREEMPT = 'src/kernel/preempt';
const SMP = 'src/kernel/smp';

export const FUNCTIONS: Readonly<Record<string, Binding>> = {
  preempt_disable: { ts: 'preempt_disable(m)', imports: [[PREEMPT, 'preempt_disable']] },
  preempt_enable: { ts: 'preempt_enable(m)', imports: [[PREEMPT, 'preempt_enable']] },
  preempt_count: { ts: 'preempt_count(m)', imports: [[PREEMPT, 'preempt_count']] },
  preemptible: { ts: '(preemptible(m) ? 1 : 0)', imports: [[PREEMPT, 'preemptible']] },
  irqs_disabled: { ts: '(irqs_disabled(m) ? 1 : 0)', imports: [[PREEMPT, 'irqs_disabled']] },
  local_irq_disable: { ts: 'local_irq_disable(m)', imports: [[PREEMPT, 'local_irq_disable']] },
  local_irq_enable: { ts: 'local_irq_enable(m)', imports: [[PREEMPT, 'local_irq_enable']] },
  // The kernel's flags are unsigned long: the u64 view of the runtime's, without a conversion per call.
  arch_local_irq_save: { ts: 'arch_local_irq_save(m)', imports: [['src/kernel/irqflags', 'arch_local_irq_save']] },
  arch_local_irq_restore: { ts: 'arch_local_irq_restore(m, $0)', imports: [['src/kernel/irqflags', 'arch_local_irq_restore']] },
  in_nmi: { ts: '(in_nmi(m) ? 1 : 0)', imports: [[PREEMPT, 'in_nmi']] },
  in_hardirq: { ts: '(in_hardirq(m) ? 1 : 0)', imports: [[PREEMPT, 'in_hardirq']] },
  in_serving_softirq: { ts: '(in_serving_softirq(m) ? 1 : 0)', imports: [[PREEMPT, 'in_serving_softirq']] },
  in_softirq: { ts: '(in_softirq(m) ? 1 : 0)', imports: [[PREEMPT, 'in_softirq']] },
  in_interrupt: { ts: '(in_interrupt(m) ? 1 : 0)', imports: [[PREEMPT, 'in_interrupt']] },
  in_task: { ts: '(in_task(m) ? 1 : 0)', imports: [[PREEMPT, 'in_task']] },
  in_atomic: { ts: '(in_atomic(m) ? 1 : 0)', imports: [[PREEMPT, 'in_atomic']] },
  migrate_disable: { ts: 'migrate_disable(m)', imports: [['src/kernel/sched', 'migrate_disable']] },
  migrate_enable: { ts: 'migrate_enable(m)', imports: [['src/kernel/sched', 'migrate_enable']] },
  local_bh_disable: { ts: 'local_bh_disable(m)', imports: [['src/kernel/softirq', 'local_bh_disable']] },
  local_bh_enable: { ts: 'local_bh_enable(m)', imports: [['src/kernel/softirq', 'local_bh_enable']] },
  smp_processor_id: { ts: 'smp_processor_id(m)', imports: [[SMP, 'smp_processor_id']] },
  raw_smp_processor_id: { ts: 'raw_smp_processor_id(m)', imports: [[SMP, 'raw_smp_processor_id']] },
  get_cpu: { ts: 'get_cpu(m)', imports: [[SMP, 'get_cpu']] },
  put_cpu: { ts: 'put_cpu(m)', imports: [[SMP, 'put_cpu']] },
  num_online_cpus: { ts: 'num_online_cpus(m)', imports: [[SMP, 'num_online_cpus']] },
  num_possible_cpus: { ts: 'num_possible_cpus(m)', imports: [[SMP, 'num_possible_cpus']] },
  cpu_online: { ts: '(m.online.test($0) ? 1 : 0)', imports: [] },
  cpumask_next: { ts: 'cpumask_next($0, $1)', imports: [['src/lib/find-bit', 'cpumask_next']] },
  __this_cpu_preempt_check: { ts: '(m.debugPreempt ? __this_cpu_preempt_check(m, $0) : undefined)', imports: [['src/debug', '__this_cpu_preempt_check']] },
  __percpu_sim_bug: { ts: 'BUG(m, $0, $1)', imports: [['src/lib/bug', 'BUG']] },
  __cant_sleep: { ts: '__cant_sleep(m, warnings, $0, $1, $2)', imports: [['src/lib/bug', '__cant_sleep']] },
  __percpu_sim_warn: { ts: 'WARN(m, warnings, $0, $1, $2)', imports: [['src/lib/bug', 'WARN']] },
};

/** Objects the headers declare extern, and what they are on the machine. */
export const OBJECTS: Readonly<Record<string, Binding>> = {
  cpu_possible_mask: { ts: 'm.possible', imports: [] },
  cpu_online_mask: { ts: 'm.online', imports: [] },
  nr_cpu_ids: { ts: 'm.nrCpus', imports: [] },
};
