/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/slab.h for percpu-cc: kmalloc(), kzalloc() and kfree() of
 * include/linux/slab.h (v6.16) on the machine's allocator
 * (src/mm/memory.ts: mm/slab_common.c's size classes). An object is `size`
 * bytes of ordinary memory; the C keeps its address, as the kernel does.
 * Not modelled: a use after kfree() through an address is not caught (the
 * bytes are read as they are; the runtime's typed pointers do catch it).
 */
#ifndef _LINUX_SLAB_H
#define _LINUX_SLAB_H

#include <linux/types.h>
#include <linux/gfp.h>

#define ZERO_SIZE_PTR ((void *)16)

void *kmalloc(size_t size, gfp_t flags);
void *kzalloc(size_t size, gfp_t flags);
void kfree(const void *objp);

#endif /* _LINUX_SLAB_H */
