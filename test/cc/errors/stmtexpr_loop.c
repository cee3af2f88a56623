/*
 * check-name: a loop inside a statement expression
 * check-exit: 2
 * check-error: test/cc/errors/stmtexpr_loop.c:6:37: unsupported: a 'while' statement inside a statement expression, write a static inline function instead
 */
int f(int n) { return ({ int s = 0; while (n--) s += n; s; }); }
