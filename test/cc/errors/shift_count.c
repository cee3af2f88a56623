/*
 * check-name: a constant shift count wider than the type
 * check-exit: 2
 * check-error: test/cc/errors/shift_count.c:6:25: error: shift count 32 is >= width of type 'int'
 */
int f(int x) { return x << 32; }
