/*
 * check-name: a member the struct does not have
 * check-exit: 2
 * check-error: test/cc/errors/no_member.c:8:25: error: 'struct pair' has no member named 'c'
 */
struct pair { int a, b; };
static struct pair x;
int get(void) { return x.c; }
