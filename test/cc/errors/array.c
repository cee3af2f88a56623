/*
 * check-name: arrays wait for the C layout engine
 * check-exit: 2
 * check-error: test/cc/errors/array.c:6:21: unsupported: arrays, arrays come with the C layout engine (c/layout.ts); use separate variables for now
 */
int sum(void) { int v[4]; return 0; }
