/*
 * check-name: a constant index past the end of an array
 * check-exit: 2
 * check-error: test/cc/errors/array_bounds.c:7:25: error: array index 4 is past the end of the array (which contains 4 elements)
 */
static int t[4];
int get(void) { return t[4]; }
