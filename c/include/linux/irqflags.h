/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/irqflags.h for percpu-cc, in the shape of include/linux/irqflags.h:
 * local_irq_save(flags) assigns to its argument (src/kernel/preempt.ts).
 */
#ifndef _LINUX_TRACE_IRQFLAGS_H
#define _LINUX_TRACE_IRQFLAGS_H

void local_irq_disable(void);
void local_irq_enable(void);
int irqs_disabled(void);
unsigned long arch_local_irq_save(void);
void arch_local_irq_restore(unsigned long flags);

#define local_irq_save(flags) do { (flags) = arch_local_irq_save(); } while (0)
#define local_irq_restore(flags) do { arch_local_irq_restore(flags); } while (0)

#endif /* _LINUX_TRACE_IRQFLAGS_H */
