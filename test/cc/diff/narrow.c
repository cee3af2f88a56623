/*
 * Differential fixture: 64-bit results narrowed to int, unsigned int, short
 * and u8, or taken to the other signedness at 64 bits (the translator folds
 * the 64-bit wrap of the arithmetic into the conversion), and
 * this_cpu_try_cmpxchg() loops (the old-value box is made once per call and
 * refilled at each pass; a miss leaves what the op found in it).
 */
#include <linux/kernel.h>
#include <linux/percpu.h>

static DEFINE_PER_CPU(int, nc32);
static DEFINE_PER_CPU(u64, nc64);
static DEFINE_PER_CPU(short, nc16);

int t_narrow_add(s64 a, s64 b) { return (int)(a + b); }
unsigned int t_narrow_mul(s64 a, s64 b) { return (unsigned int)(a * b); }
short t_narrow_sub(s64 a, int b) { return (short)(a - b); }
u8 t_narrow_u64(u64 a, u64 b) { return (u8)(a * b + 7); }
int t_narrow_neg(s64 a) { return (int)-a; }
s64 t_resign(u64 a, u64 b) { return (s64)(a * b); }
u64 t_unsign(s64 a, s64 b) { return (u64)(a - b); }
int t_narrow_arg(s64 a, s64 b) { return t_narrow_add(a * 3, b) + (short)(a ^ b); }
/* Narrowed to 32 bits, a 64-bit + - * & | ^ is computed in 32: nested, mixed-width operands, constants wider than 32 bits. */
int t_narrow_mix(s64 a, unsigned int b, int c) { return (int)(((a + b) * c - (a & 0xff00)) ^ (b | c)); }
unsigned int t_narrow_uxor(u64 a, s64 b) { return (unsigned int)((a ^ b) + (a - 1)); }
int t_narrow_const(s64 a, short s) { return (int)(a * 0x100000001LL + 3 - s); }
unsigned int t_narrow_usub(s64 a, u64 b) { return (unsigned int)(a - b * b); }

int t_try_loop(int v, int n)
{
	int old = this_cpu_read(nc32);
	int i;

	n &= 7;
	for (i = 0; i < n; i++) {
		while (!this_cpu_try_cmpxchg(nc32, &old, old + v))
			;
	}
	return old + this_cpu_read(nc32);
}

int t_try_miss(int v)
{
	int stale = this_cpu_read(nc32) - 1;
	int tries = 0;

	while (!this_cpu_try_cmpxchg(nc32, &stale, stale + v))
		tries++;
	return tries * 1000 + stale;
}

u64 t_try_u64(u64 v)
{
	u64 old = this_cpu_read(nc64) + 5;
	int tries = 0;

	while (!this_cpu_try_cmpxchg(nc64, &old, old * 3 + v))
		tries++;
	return old + (u64)tries;
}

int t_try_short(int v)
{
	short old = this_cpu_read(nc16);

	if (this_cpu_try_cmpxchg(nc16, &old, (short)v))
		return old;
	return -1;
}
