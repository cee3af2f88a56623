/*
 * check-name: #error
 * check-exit: 2
 * check-error: test/cc/errors/error_directive.c:7:2: error: #error "build with -DCONFIG_PERCPU_STATS"
 */
#ifndef CONFIG_PERCPU_STATS
#error "build with -DCONFIG_PERCPU_STATS"
#endif
