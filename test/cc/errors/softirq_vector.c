/*
 * check-name: PERCPU_SOFTIRQ twice on one vector
 * check-exit: 2
 * check-error: test/cc/errors/softirq_vector.c:17:1: error: softirq vector 3 already has a handler (open_softirq() once per vector)
 */
#include <percpu-sim.h>

static void rx(void)
{
}

static void rx_again(void)
{
}

PERCPU_SOFTIRQ(NET_RX_SOFTIRQ, rx, 1);
PERCPU_SOFTIRQ(NET_RX_SOFTIRQ, rx_again, 1);
