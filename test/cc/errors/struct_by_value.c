/*
 * check-name: a struct passed by value
 * check-exit: 2
 * check-error: test/cc/errors/struct_by_value.c:7:12: unsupported: 'sum' passes or returns a struct pair by value, pass a pointer to it
 */
struct pair { int a, b; };
static int sum(struct pair p) { return 0; }
