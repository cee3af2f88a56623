/*
 * Differential fixture: structs, unions, arrays and globals in memory. Every
 * t_* function is run by gcc (natively) and by percpu-cc's translation (fast
 * and stepped) on the same generated inputs; results must agree. Layout comes
 * from c/layout.ts on one side and from gcc on the other.
 */
#include <linux/percpu.h>
#include <linux/kernel.h>
#include <linux/stddef.h>

struct inner {
	s8 small;
	u16 mid;
	s64 big;
};

struct outer {
	u8 tag;
	struct inner in[3];
	union {
		u32 word;
		u8 bytes[4];
	};
	s16 tail[5];
};

struct list {
	struct list *next;
	int val;
};

static struct outer g = { .tag = 7, .in = { [1] = { .small = -5, .big = -1 } }, .tail = { 1, -2, 3 } };
static struct list nodes[4];
static int counts[8] = { [3] = 30, [7] = 70 };
static u64 wide[2] = { 0xffffffffffffffffULL, 5 };
DEFINE_PER_CPU(struct outer, pc);

unsigned long t_sizes(int k)
{
	switch (k & 7) {
	case 0: return sizeof(struct inner);
	case 1: return sizeof(struct outer);
	case 2: return offsetof(struct outer, in[2].big);
	case 3: return offsetof(struct outer, word);
	case 4: return offsetof(struct outer, tail[4]);
	case 5: return ARRAY_SIZE(g.tail);
	case 6: return sizeof(g.in);
	default: return _Alignof(struct outer);
	}
}

int t_init(int i)
{
	i &= 3;
	return g.tag + g.in[1].small + (int)g.in[1].big + g.tail[i] + counts[i + 4] + (int)wide[i & 1];
}

int t_store_small(int i, int v)
{
	i &= 3;
	if (i == 3)
		i = 2;
	g.in[i].small = v;
	g.in[i].mid += v;
	return g.in[i].small * 1000 + g.in[i].mid;
}

s64 t_store_big(int i, s64 v)
{
	i = (i & 1) + 1;
	g.in[i].big -= v;
	return g.in[i].big;
}

unsigned int t_union(unsigned int w, int b)
{
	g.word = w;
	g.bytes[b & 3] ^= 0x5a;
	return g.word;
}

int t_tail(int i, int v)
{
	s16 *p = &g.tail[0];
	i = i & 3;
	p[i] = v;
	p += i;
	return *p + *(p + 1) + (int)(p - g.tail);
}

int t_list(int a, int b, int c)
{
	int sum = 0;
	struct list *n;

	nodes[0].val = a;
	nodes[1].val = b;
	nodes[2].val = c;
	nodes[0].next = &nodes[1];
	nodes[1].next = (c & 1) ? &nodes[2] : 0;
	nodes[2].next = 0;
	for (n = &nodes[0]; n; n = n->next)
		sum += n->val;
	return sum;
}

int t_counts(int i, int v)
{
	int *p = counts;

	i &= 7;
	counts[i] += v;
	return p[i] - counts[(i + 3) & 7];
}

int t_percpu(int i, int v)
{
	i &= 3;
	if (i == 3)
		i = 0;
	this_cpu_add(pc.in[i].small, v);
	this_cpu_write(pc.tail[i + 1], v);
	this_cpu_inc(pc.word);
	return this_cpu_read(pc.in[i].small) + this_cpu_read(pc.tail[i + 1]) + (int)this_cpu_read(pc.word);
}

s64 t_percpu_ptr(int i, s64 v)
{
	struct outer *o = this_cpu_ptr(&pc);

	i &= 1;
	o->in[i].big += v;
	return o->in[i].big + o->in[0].mid;
}

int t_flex(int i, int v)
{
	struct inner *in = &g.in[0];
	struct inner *end = in + ARRAY_SIZE(g.in);
	int n = 0;

	for (; in < end; in++)
		n += in->small;
	return n + (v & 0xff) - (i & 0xf);
}

unsigned long t_ptrint(int i)
{
	unsigned long a = (unsigned long)&counts[i & 7];
	unsigned long b = (unsigned long)&counts[0];

	return a - b;
}
