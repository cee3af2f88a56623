/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/u64_stats_sync.h for percpu-cc, on a 64-bit kernel as
 * include/linux/u64_stats_sync.h (v6.16) builds it: struct u64_stats_sync is
 * empty, the begin/end and fetch calls are no instructions, u64_stats_t is a
 * local64_t whose add is one instruction on the CPU's own counter
 * (src/lib/u64-stats-sync.ts).
 */
#ifndef _LINUX_U64_STATS_SYNC_H
#define _LINUX_U64_STATS_SYNC_H

#include <linux/types.h>
#include <asm/local.h>

struct u64_stats_sync {
};

typedef struct {
	local64_t v;
} u64_stats_t;

void u64_stats_init(struct u64_stats_sync *syncp);
void u64_stats_update_begin(struct u64_stats_sync *syncp);
void u64_stats_update_end(struct u64_stats_sync *syncp);
unsigned int u64_stats_fetch_begin(const struct u64_stats_sync *syncp);
bool u64_stats_fetch_retry(const struct u64_stats_sync *syncp, unsigned int start);
u64 u64_stats_read(const u64_stats_t *p);
void u64_stats_set(u64_stats_t *p, u64 val);
void u64_stats_add(u64_stats_t *p, unsigned long val);
void u64_stats_inc(u64_stats_t *p);

#endif /* _LINUX_U64_STATS_SYNC_H */
