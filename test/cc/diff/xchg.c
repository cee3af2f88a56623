/*
 * Differential fixture: the type-generic xchg(), cmpxchg() and try_cmpxchg()
 * of <linux/atomic.h> on plain objects, against gcc's __atomic builtins (the
 * userspace shim), and in test/cc/xchg.test.ts: every width, signed and
 * unsigned, bool, pointers, struct members, array elements through a
 * pointer, kzalloc()'d objects, one CPU's copy of a per-CPU struct through per_cpu_ptr(), and
 * try_cmpxchg()'s write-back to a local and to memory.
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/atomic.h>
#include <linux/slab.h>

struct node {
	struct node *next;
	int val;
};

struct stats {
	u8 flag;
	s16 level;
	u32 hits;
	s64 bytes;
	unsigned long mask[3];
};

static s8 g8 = -1;
static u16 g16 = 0xffff;
static int g32 = -5;
static u32 gu32 = 0x80000000;
static s64 g64 = -(1LL << 40);
static u64 gu64 = 0xfffffffffffffff0ULL;
static bool gbool;
static struct node nodes[3];
static struct node *head;
static struct stats st;
static s64 saved_old;
static DEFINE_PER_CPU(struct stats, pst);

/* cmpxchg on each width: the value found, and the object after. */
long t_cmpxchg_s8(int o, int n)
{
	s8 r = cmpxchg(&g8, (s8)o, (s8)n);

	return r * 1000L + g8;
}

long t_cmpxchg_u16(int o, int n)
{
	u16 r = cmpxchg_relaxed(&g16, o, n);

	return r * 100000L + g16;
}

long t_cmpxchg_int(int o, int n)
{
	return (long)cmpxchg_acquire(&g32, o, n) * 10000000000L + g32;
}

unsigned long t_xchg_u32(unsigned int v)
{
	unsigned long r = xchg(&gu32, v);

	return (r << 32) | gu32;
}

s64 t_cmpxchg64(s64 o, s64 n)
{
	s64 r = cmpxchg64(&g64, o, n);

	return r ^ g64;
}

u64 t_xchg_u64(u64 v)
{
	return xchg_release(&gu64, v) + gu64;
}

int t_bool(int v)
{
	bool was = xchg(&gbool, v);

	return was * 10 + gbool;
}

/* try_cmpxchg: true and the object stored on a match; false and old = what was found on a miss. */
long t_try_int(int o, int n)
{
	int old = o;
	bool ok = try_cmpxchg(&g32, &old, n);

	return ok * 100000000000L + (long)old * 10L;
}

s64 t_try64_mem(s64 o, s64 n)
{
	saved_old = o;
	if (try_cmpxchg64(&g64, &saved_old, n))
		return 1;
	return saved_old;
}

int t_try_sign(int o)
{
	/* oldp may differ in signedness only: the kernel builds with -Wno-pointer-sign. */
	unsigned int old = o;

	if (try_cmpxchg_relaxed(&g32, &old, 7))
		return -1;
	return old == (unsigned int)g32;
}

/* A lock-free push on a list: the pointer form. */
int t_push(int i)
{
	struct node *n = &nodes[i & 1];
	struct node *first = head;

	do {
		n->next = first;
	} while (!try_cmpxchg(&head, &first, n));
	n->val = i;
	return head == n && n->next == first;
}

int t_pop(void)
{
	struct node *first = READ_ONCE(head);

	while (first && cmpxchg(&head, first, first->next) != first)
		first = READ_ONCE(head);
	return first ? first->val : -1;
}

/* Members and array elements through pointers. */
unsigned long t_members(int i, unsigned long v)
{
	struct stats *s = &st;
	unsigned long *m = s->mask;

	xchg(&s->flag, 1);
	cmpxchg(&s->level, 0, -3);
	xchg(&s->hits, 9);
	cmpxchg(&s->bytes, 0, 1LL << 33);
	return xchg(&m[i & 1], v) + s->flag + s->level + s->hits + s->bytes;
}

/* One CPU's copy of a per-CPU struct: an ordinary pointer from per_cpu_ptr(). */
long t_percpu(int cpu, int v)
{
	struct stats *s = per_cpu_ptr(&pst, smp_processor_id());
	u32 old = s->hits;

	while (!try_cmpxchg(&s->hits, &old, old + v))
		;
	return (long)this_cpu_ptr(&pst)->hits * 1000 + per_cpu_ptr(&pst, cpu & 0)->hits;
}

/* A kzalloc()'d object: zeroed, exchanged in place, freed. */
long t_heap(long v)
{
	struct stats *s = kzalloc(sizeof(*s), GFP_KERNEL);
	unsigned long old = 0;
	long r;

	if (!s)
		return -1;
	try_cmpxchg(&s->mask[2], &old, (unsigned long)v);
	r = cmpxchg(&s->bytes, 0, v) + xchg(&s->level, (s16)v) + (long)s->mask[2];
	r = r * 3 + s->level + s->bytes;
	kfree(s);
	return r;
}
