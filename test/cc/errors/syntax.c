/*
 * check-name: a missing semicolon
 * check-exit: 2
 * check-error: test/cc/errors/syntax.c:6:26: error: expected ';' after a declaration before 'return'
 */
int f(int x) { int y = x return y; }
