/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/gfp.h for percpu-cc: the allocation flags callers pass
 * (include/linux/gfp_types.h, v6.16). The simulated allocators never sleep
 * and never fail for lack of reclaim, so the flags carry no semantics here.
 */
#ifndef __LINUX_GFP_H
#define __LINUX_GFP_H

#include <linux/types.h>

#define GFP_ATOMIC ((gfp_t)0x820)
#define GFP_NOWAIT ((gfp_t)0x800)
#define GFP_KERNEL ((gfp_t)0xcc0)

#endif /* __LINUX_GFP_H */
