/*
 * check-name: a preprocessing directive outside the supported set
 * check-exit: 2
 * check-error: test/cc/errors/unknown_directive.c:6:2: unsupported: preprocessing directive '#line', use #define, #undef, #include, #if/#ifdef/#ifndef/#elif/#else/#endif, #pragma once or #error
 */
#line 100 "other.c"
int f(void) { return 0; }
