/*
 * check-name: #if without #endif
 * check-exit: 2
 * check-error: test/cc/errors/unterminated_if.c:6:1: error: unterminated conditional directive (#if without #endif)
 */
#ifdef CONFIG_SMP
int f(void) { return 0; }
