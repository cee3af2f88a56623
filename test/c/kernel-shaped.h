/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU structures in the shape the kernel declares them (Linux v6.16),
 * reduced to the members that need no further headers. Each is modelled in
 * test/c-layout.test.ts through the engine, and gcc's layout must match.
 */
#include "kernel-types.h"

/* fs/mount.h */
struct mnt_pcp { int mnt_count; int mnt_writers; };

/* include/linux/netdevice.h (u64_stats_t from kernel-types.h: a local64_t, a local_t on 64-bit) */
struct pcpu_sw_netstats {
	u64_stats_t rx_packets;
	u64_stats_t rx_bytes;
	u64_stats_t tx_packets;
	u64_stats_t tx_bytes;
	struct u64_stats_sync syncp;
} __attribute__((aligned(4 * sizeof(u64))));

/* mm/swap.c, with include/linux/pagevec.h's folio_batch (PAGEVEC_SIZE 31) */
struct folio_batch { unsigned char nr; unsigned char i; bool percpu_pvec_drained; struct folio *folios[31]; };
struct cpu_fbatches {
	local_lock_t lock;
	struct folio_batch lru_add;
	struct folio_batch lru_deactivate_file;
	struct folio_batch lru_deactivate;
	struct folio_batch lru_lazyfree;
	struct folio_batch lru_activate;
	local_lock_t lock_irq;
	struct folio_batch lru_move_tail;
};

/* include/linux/mmzone.h (NR_VM_ZONE_STAT_ITEMS 11 on a typical config) */
struct per_cpu_zonestat { s8 vm_stat_diff[11]; s8 stat_threshold; };
struct per_cpu_pages {
	spinlock_t lock;
	int count;
	int high;
	int high_min;
	int high_max;
	int batch;
	u8 flags;
	u8 alloc_factor;
	short expire;
	struct list_head lists[13];
};

/* fs/buffer.c (BH_LRU_SIZE 16) */
struct bh_lru { struct buffer_head *bhs[16]; };

/* mm/memcontrol.c-like stat arrays */
struct memcg_vmstats_percpu {
	unsigned int stats_updates;
	struct memcg_vmstats_percpu *parent;
	long state[40];
	unsigned long events[20];
	long state_prev[40];
	unsigned long events_prev[20];
} __attribute__((aligned(64)));

/* a packed wire header next to cacheline-aligned members */
struct wire { u8 kind; u32 len; u64 seq; } __attribute__((packed));
struct padded { u8 a; u64 b __attribute__((aligned(64))); u16 c; struct wire w; union { u32 x; u8 y[6]; }; u8 tail[]; };
