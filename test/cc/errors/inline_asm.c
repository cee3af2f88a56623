/*
 * check-name: inline assembly
 * check-exit: 2
 * check-error: test/cc/errors/inline_asm.c:6:16: unsupported: inline assembly, write the operation in C with the per-CPU API (this_cpu_*, raw_cpu_*)
 */
void f(void) { asm("nop"); }
