/*
 * check-name: a call through a function pointer
 * check-exit: 2
 * check-error: test/cc/errors/function_pointer.c:7:32: unsupported: a call through the function pointer 'g', call the function by name
 */
static int one(void) { return 1; }
int f(int (*g)(void)) { return g(); }
