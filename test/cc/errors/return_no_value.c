/*
 * check-name: return without a value in a function returning int
 * check-exit: 2
 * check-error: test/cc/errors/return_no_value.c:6:23: error: 'return' with no value, in function 'f' returning 'int'
 */
int f(int x) { if (x) return; return 1; }
