/*
 * check-name: an include that is neither shipped nor beside the file
 * check-exit: 2
 * check-error: test/cc/errors/include_not_found.c:6:2: error: 'linux/netdevice.h' file not found (percpu-cc ships the kernel headers in c/include/linux: include <linux/…> from there, or a file beside the source with "…")
 */
#include <linux/netdevice.h>
int f(void) { return 0; }
