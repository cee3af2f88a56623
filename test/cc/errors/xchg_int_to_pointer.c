/*
 * check-name: xchg() of a pointer object with an integer value
 * check-exit: 2
 * check-error: test/cc/errors/xchg_int_to_pointer.c:11:29: error: incompatible types: 'int' where 'struct node *' is expected
 */
#include <linux/atomic.h>

struct node { struct node *next; };
static struct node *head;

void f(int v) { xchg(&head, v); }
