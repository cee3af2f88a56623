/*
 * check-name: a whole struct assigned at once
 * check-exit: 2
 * check-error: test/cc/errors/struct_assign.c:8:30: unsupported: assignment of a whole struct pair, assign its members one by one
 */
struct pair { int a, b; };
static struct pair x, y;
void copy(void) { x.a = 1; x = y; }
