/*
 * check-name: too few arguments to a function
 * check-exit: 2
 * check-error: test/cc/errors/arg_count.c:7:22: error: too few arguments to function 'add' (expected 2, have 1)
 */
static int add(int a, int b) { return a + b; }
int f(void) { return add(1); }
