/*
 * check-name: floating point is outside the subset
 * check-exit: 2
 * check-error: test/cc/errors/float.c:6:1: unsupported: floating point, the kernel does not use the FPU in this code: use integers
 */
double half(int x) { return x / 2.0; }
