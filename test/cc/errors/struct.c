/*
 * check-name: structs wait for the C layout engine
 * check-exit: 2
 * check-error: test/cc/errors/struct.c:6:1: unsupported: struct types, structs, unions and arrays come with the C layout engine (c/layout.ts); use scalar per-CPU variables for now
 */
struct pair { int a, b; };
int first(struct pair *p) { return p->a; }
