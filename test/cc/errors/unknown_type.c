/*
 * check-name: an unknown type name
 * check-exit: 2
 * check-error: test/cc/errors/unknown_type.c:6:7: error: unknown type name 'ktime_t'
 */
int f(ktime_t t) { return 0; }
