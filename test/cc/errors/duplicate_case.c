/*
 * check-name: a duplicate case value
 * check-exit: 2
 * check-error: test/cc/errors/duplicate_case.c:6:47: error: duplicate case value 1
 */
int f(int x) { switch (x) { case 1: return 1; case 0x1: return 2; } return 0; }
