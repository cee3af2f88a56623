/*
 * check-name: a function declared but defined nowhere in the file
 * check-exit: 2
 * check-error: test/cc/errors/declared_not_defined.c:7:23: error: 'helper' is declared but not defined in this file (percpu-cc translates one file: define it here, a stub in C is enough, or export helper(m, …) from a TypeScript module given with --stubs)
 */
int helper(int x);
int f(int x) { return helper(x) + 1; }
