/*
 * check-name: a variable-length array
 * check-exit: 2
 * check-error: test/cc/errors/vla.c:7:12: unsupported: a variable-length array, give the array a constant size
 */
static int n = 4;
static int t[n];
