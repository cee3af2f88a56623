/*
 * check-name: PERCPU_SOFTIRQ on a vector past RCU_SOFTIRQ
 * check-exit: 2
 * check-error: test/cc/errors/softirq_vector_range.c:12:1: error: softirq vector 10 is not one of HI_SOFTIRQ … RCU_SOFTIRQ (0 … 9)
 */
#include <percpu-sim.h>

static void rx(void)
{
}

PERCPU_SOFTIRQ(NR_SOFTIRQS, rx, 1);
