// SPDX-License-Identifier: GPL-2.0
/*
 * trace_call_bpf() from kernel/trace/bpf_trace.c (Linux mainline, commit
 * 00b8f39f1d15; the function is the same since v5.7, when preempt_disable()
 * gave way to cant_sleep()), with a harness for `percpu-sim check`.
 *
 * bpf_prog_active is a per-CPU recursion guard: a BPF program that triggers
 * a tracepoint (or a kprobe in an interrupt that hits while a program runs)
 * must not run another program on the same CPU. The increment and the
 * decrement must happen on one CPU, so the function relies on its callers
 * to have preemption disabled (tracepoints and kprobes do), and checks it
 * with cant_sleep().
 *
 * Trimmed: the body between the guard's increment and decrement
 * (rcu_read_lock(); ret = bpf_prog_run_array(rcu_dereference(
 * call->prog_array), ctx, bpf_prog_run); rcu_read_unlock();) is the C stub
 * run_programs() below, and the parameters (call, ctx) are gone with it:
 * running BPF programs is outside the model.
 *
 * The broken variant (-DBROKEN) is the classic misuse: a caller in
 * preemptible task context. cant_sleep() reports it; without that check the
 * task may migrate between __this_cpu_inc_return() and __this_cpu_dec(),
 * leaving one CPU's guard at 1 for good — every later program on that CPU
 * is silently skipped.
 *
 *   npx percpu-sim check examples/kernel/bpf_trace.c --arch all            no violation
 *   npx percpu-sim check examples/kernel/bpf_trace.c -DBROKEN              BUG: assuming atomic context
 *   npx percpu-sim check examples/kernel/bpf_trace.c -DBROKEN \
 *       -UCONFIG_DEBUG_PREEMPT -UCONFIG_DEBUG_ATOMIC_SLEEP                 the guard is left raised
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <percpu-sim.h>

DEFINE_PER_CPU(int, bpf_prog_active);

static int programs_run;

/* The trimmed program run: stands for bpf_prog_run_array(), which returns 1 to keep the event. */
static unsigned int run_programs(void)
{
	programs_run++;
	return 1;
}

unsigned int trace_call_bpf(void)
{
	unsigned int ret;

	cant_sleep();

	if (unlikely(__this_cpu_inc_return(bpf_prog_active) != 1)) {
		/*
		 * since some bpf program is already running on this cpu,
		 * don't call into another bpf program (same or different)
		 * and don't send kprobe event into ring-buffer,
		 * so return zero here
		 */
		ret = 0;
		goto out;
	}

	ret = run_programs();

 out:
	__this_cpu_dec(bpf_prog_active);

	return ret;
}

/* A tracepoint in task context: it runs with preemption disabled, as __DO_TRACE does. */
static void tracepoint_hit(void)
{
#ifndef BROKEN
	preempt_disable();
#endif
	trace_call_bpf();
#ifndef BROKEN
	preempt_enable();
#endif
}

static void task(void)
{
	tracepoint_hit();
}

/* A kprobe hit in an interrupt handler: interrupts are off, so is preemption. */
static void kprobe_irq(void)
{
	trace_call_bpf();
}

/* After everything: no CPU's guard is left raised. */
static bool guards_down(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		if (per_cpu(bpf_prog_active, cpu) != 0)
			return false;
	return true;
}

PERCPU_CPUS(2);
PERCPU_TASK(T1, 0, task);
PERCPU_TASK(T2, 0, task);
PERCPU_IRQ(kprobe, kprobe_irq, 1);
PERCPU_CHECK(guards_down);
