/*
 * check-name: a local array or struct (locals are values, not memory)
 * check-exit: 2
 * check-error: test/cc/errors/local_aggregate.c:6:21: unsupported: the local array 'v' (locals are TypeScript values, not memory), make it a global or a per-CPU variable and use a pointer to it
 */
int sum(void) { int v[4]; return 0; }
