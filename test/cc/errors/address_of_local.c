/*
 * check-name: the address of a local (no ordinary memory model yet)
 * check-exit: 2
 * check-error: test/cc/errors/address_of_local.c:7:26: unsupported: taking the address of a local or global, only per-CPU variables have addresses until the ordinary-memory model lands (pass values, or use a per-CPU variable)
 */
static void set(int *p) { *p = 1; }
int f(void) { int x; set(&x); return x; }
