/*
 * check-name: a call to a function neither defined nor declared
 * check-exit: 2
 * check-error: test/cc/errors/implicit_function.c:6:23: error: implicit declaration of function 'helper' (not defined in this file, not in the shipped headers: define it here, or include the header that declares it)
 */
int f(int x) { return helper(x); }
