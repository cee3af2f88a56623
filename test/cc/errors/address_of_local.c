/*
 * check-name: the address of a local
 * check-exit: 2
 * check-error: test/cc/errors/address_of_local.c:7:26: unsupported: the address of the local 'x', locals are TypeScript values, not memory: pass the value, or use a global or a per-CPU variable
 */
static void set(int *p) { *p = 1; }
int f(void) { int x; set(&x); return x; }
