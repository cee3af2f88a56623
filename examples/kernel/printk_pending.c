// SPDX-License-Identifier: GPL-2.0-only
/*
 * printk's deferred console output: wake_up_klogd_work_func(),
 * wake_up_klogd() and defer_console_output() from kernel/printk/printk.c,
 * with a harness for `percpu-sim check`.
 *
 * printk_pending is a per-CPU bit mask: wake_up_klogd() sets WAKEUP,
 * defer_console_output() sets OUTPUT, and the irq_work handler takes both with
 * one exchange. In Linux v5.15 defer_console_output() set its bit with
 * __this_cpu_or() and the handler took them with __this_cpu_xchg(): the
 * __this_cpu_ forms assume interrupts are off, but defer_console_output() only
 * disables preemption (printk_deferred() is called with interrupts on, e.g.
 * from get_random_bytes()). The fix (John Ogness, "printk: use this_cpu_* …",
 * https://lore.kernel.org/r/87iltld4ue.fsf@jogness.linutronix.de, in v5.17
 * and the stable trees) made both this_cpu_or()/this_cpu_xchg(). Built with
 * -DBROKEN this file is the v5.15 code; without it, the fixed code.
 *
 * On x86-64 the broken code happens to be safe: __this_cpu_or() is one
 * `orl` instruction, which an interrupt cannot split. On arm64 and
 * asm-generic it is a load, an or and a store: an interrupt that sets WAKEUP
 * in between is overwritten by the store, and klogd is never woken.
 *
 *   npx percpu-sim check examples/kernel/printk_pending.c --arch all              no violation
 *   npx percpu-sim check examples/kernel/printk_pending.c -DBROKEN --arch x86_64  no violation
 *   npx percpu-sim check examples/kernel/printk_pending.c -DBROKEN --arch arm64   the WAKEUP bit is lost
 *
 * Trimmed, as stubs of the same names below: printk_percpu_data_ready()
 * (always ready), waitqueue_active(&log_wait) (a reader is waiting),
 * irq_work_queue() (the handler is the PERCPU_IRQ `klogd_work`, which may run
 * at any point), console_trylock()/console_unlock() and
 * wake_up_interruptible() (they record what was done).
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <percpu-sim.h>

static int outputs_asked, outputs_flushed;
static int wakeups_asked, klogd_woken;

static bool printk_percpu_data_ready(void) { return true; }
static int klogd_waiting(void) { return 1; }
static int console_trylock(void) { return 1; }
static void console_unlock(void) { outputs_flushed++; }
static void klogd_wake(void) { klogd_woken++; }
#define waitqueue_active(wq) klogd_waiting()
#define irq_work_queue(work) do { } while (0)
#define wake_up_interruptible(wq) klogd_wake()

#ifdef BROKEN
#define PENDING_OR __this_cpu_or
#define PENDING_XCHG __this_cpu_xchg
#else
#define PENDING_OR this_cpu_or
#define PENDING_XCHG this_cpu_xchg
#endif

/*
 * Delayed printk version, for scheduler-internal messages:
 */
#define PRINTK_PENDING_WAKEUP	0x01
#define PRINTK_PENDING_OUTPUT	0x02

static DEFINE_PER_CPU(int, printk_pending);

static void wake_up_klogd_work_func(void)
{
	int pending = PENDING_XCHG(printk_pending, 0);

	if (pending & PRINTK_PENDING_OUTPUT) {
		/* If trylock fails, someone else is doing the printing */
		if (console_trylock())
			console_unlock();
	}

	if (pending & PRINTK_PENDING_WAKEUP)
		wake_up_interruptible(&log_wait);
}

void wake_up_klogd(void)
{
	if (!printk_percpu_data_ready())
		return;

	preempt_disable();
	if (waitqueue_active(&log_wait)) {
		this_cpu_or(printk_pending, PRINTK_PENDING_WAKEUP);
		irq_work_queue(this_cpu_ptr(&wake_up_klogd_work));
	}
	preempt_enable();
}

void defer_console_output(void)
{
	if (!printk_percpu_data_ready())
		return;

	preempt_disable();
	PENDING_OR(printk_pending, PRINTK_PENDING_OUTPUT);
	irq_work_queue(this_cpu_ptr(&wake_up_klogd_work));
	preempt_enable();
}

/* printk_deferred() from task context, interrupts on. */
static void task(void)
{
	outputs_asked = 1;
	defer_console_output();
}

/* A printk() in an interrupt handler wakes klogd. */
static void irq_printk(void)
{
	wakeups_asked = 1;
	wake_up_klogd();
}

/* Nothing asked for is lost: each request was served, or its bit is still pending somewhere. */
static bool nothing_lost(void)
{
	int cpu, pending = 0;

	for_each_possible_cpu(cpu)
		pending |= per_cpu(printk_pending, cpu);
	if (wakeups_asked && !klogd_woken && !(pending & PRINTK_PENDING_WAKEUP))
		return false;
	if (outputs_asked && !outputs_flushed && !(pending & PRINTK_PENDING_OUTPUT))
		return false;
	return true;
}

PERCPU_CPUS(1);
PERCPU_TASK(T1, 0, task);
PERCPU_IRQ(printk_irq, irq_printk, 1);
PERCPU_IRQ(klogd_work, wake_up_klogd_work_func, 1);
PERCPU_CHECK(nothing_lost);
