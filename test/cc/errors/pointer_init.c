/*
 * check-name: a static pointer initialized to an address
 * check-exit: 2
 * check-error: test/cc/errors/pointer_init.c:7:26: unsupported: a pointer initialized to a non-null constant in 'n', set it at run time
 */
struct node { struct node *next; };
static struct node n = { (struct node *)8 };
