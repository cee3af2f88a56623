/*
 * Golden fixture: the differential fixture's C (integer arithmetic,
 * conversions, control flow, per-CPU ops), translated and committed.
 */
#include <linux/kernel.h>
#include <linux/percpu.h>

static DEFINE_PER_CPU(u8, pc8);
static DEFINE_PER_CPU(s16, pc16);
static DEFINE_PER_CPU(int, pc32) = -7;
static DEFINE_PER_CPU(u64, pc64);
static DEFINE_PER_CPU(long, pclong);

static int calls;

int t_add(int a, int b) { return a + b; }
unsigned int t_uadd(unsigned int a, unsigned int b) { return a + b - 3; }
int t_mul(int a, int b) { return a * b; }
unsigned int t_umul(unsigned int a, unsigned int b) { return a * b; }
long long t_mix(int a, unsigned int b) { return a + b; }
long long t_mix64(long long a, unsigned int b) { return a * b - (a >> 3); }
u64 t_u64(u64 a, u64 b) { return a * b + (a ^ ~b); }
s64 t_s64div(s64 a, s64 b) { if (b == 0) return -1; if (a == S64_MIN && b == -1) return 0; return a / b + a % b; }
int t_div(int a, int b) { if (b == 0 || (a == INT_MIN && b == -1)) return 0; return a / b * 3 + a % b; }
unsigned int t_udiv(unsigned int a, unsigned int b) { return b ? a / b + a % b : 0; }
int t_shift(int a, unsigned int n) { n &= 31; return (a << n) ^ (a >> n); }
unsigned int t_ushift(unsigned int a, int n) { n &= 31; return (a << n) | (a >> (31 - n)); }
u64 t_shift64(u64 a, int n) { n &= 63; return (a << n) + (a >> (63 - n)) + ((s64)a >> (n & 7)); }
int t_char(int a) { signed char c = a; unsigned char u = a; short s = a; unsigned short us = a; char p = a; return c + u * 3 + s - us + p * 5; }
unsigned int t_cmp(int a, unsigned int b) { return (a < b) + 2 * (a == -1) + 4 * ((long)a < (long)b) + 8 * (a >= 0 && b); }
int t_neg(unsigned int a) { return -a; }
u8 t_u8ret(int a) { return a * 7; }
bool t_bool(long long a) { bool b = a; return b + !a; }
int t_cond(int a, int b) { return a > b ? a - b : (a < b ? b - a : 42); }
int t_comma(int a) { int x = (a++, a + 1); return x * 2 + a; }
int t_compound(int a, unsigned int b) {
	int x = a;
	x += b;
	x -= 3;
	x *= a;
	x ^= b;
	x |= 5;
	x &= ~0x100;
	x <<= 1;
	x >>= 2;
	if (b) { x /= (int)(b | 1); x %= 1000; }
	return x;
}
u16 t_incdec(u16 a) { u16 x = a; x++; ++x; x--; return x++ + --x; }
int t_loops(int n) {
	int i, s = 0;
	n &= 63;
	for (i = 0; i < n; i++) {
		if (i % 3 == 0) continue;
		if (i > 40) break;
		s += i;
	}
	while (n > 10) n -= 7;
	do { s ^= n; n--; } while (n > 0);
	return s;
}
int t_switch(int a) {
	int r = 0;
	switch (a & 15) {
	case 0: r = 10; break;
	case 1:
	case 2: r = 20;
	case 3: r += 5; break;
	case 4 ... 7: r = a; break;
	default: r = -1;
	}
	return r;
}
int t_goto(int a) {
	int ret = 0;
	if (a < 0) { ret = -22; goto out; }
	ret = a * 2;
	if (ret > 100) goto out_big;
	ret++;
out_big:
	ret += 1000;
out:
	return ret;
}
int t_stmtexpr(int a, int b) { return min(a, b) * 2 + max(a, b) + ({ int t = a ^ b; t & 0xff; }); }
unsigned long t_sizeof(int a) { return sizeof(a) + sizeof(u8) * 10 + sizeof(long long) * 100 + sizeof(short); }
int t_typeof(int a) { typeof(a) x = a; __typeof__(x) y = x * 2; return __builtin_constant_p(y) + __builtin_constant_p(3) * 10 + y; }
int t_static(int a) { static int acc; acc += a; calls++; return acc + calls; }
int t_enum(int a) { enum { A, B = 5, C }; return a == B ? C : A + a; }

int t_pcpu8(int v) { this_cpu_add(pc8, v); raw_cpu_inc(pc8); return this_cpu_read(pc8); }
int t_pcpu16(int v) { this_cpu_sub(pc16, v); return this_cpu_add_return(pc16, 3); }
int t_pcpu32(int v) {
	int old = this_cpu_xchg(pc32, v);
	int c = this_cpu_cmpxchg(pc32, v, old + 1);
	this_cpu_or(pc32, 0x10);
	this_cpu_and(pc32, ~1);
	return old + c + this_cpu_dec_return(pc32);
}
u64 t_pcpu64(u64 v) { this_cpu_add(pc64, v); this_cpu_write(pclong, (long)v); return this_cpu_read(pc64) + raw_cpu_sub_return(pclong, 5); }
int t_pcpu_ptr(int v) {
	int *p = this_cpu_ptr(&pc32);
	*p += v;
	(*p)++;
	return *p + per_cpu(pc32, 0);
}
int t_get_cpu_var(int v) { get_cpu_var(pc32) += v; put_cpu_var(pc32); return this_cpu_read(pc32); }
