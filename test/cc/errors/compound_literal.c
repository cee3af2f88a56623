/*
 * check-name: compound literals
 * check-exit: 2
 * check-error: test/cc/errors/compound_literal.c:7:23: unsupported: compound literals, use a local variable
 */
struct pair { int a, b; };
int f(void) { return ((struct pair){ 1, 2 }).a; }
