/**
 * C's conversion of a 64-bit integer to a narrower integer type, for code
 * percpu-cc translates, where 8-byte values are bigints and narrower ones
 * numbers: the value modulo 2^N, read as the target's signedness (C11
 * 6.3.1.3; gcc defines the signed case that way). `to_s32(x)` is
 * Number(BigInt.asIntN(32, x)), for every bigint.
 *
 * The value goes through one 8-byte typed array and is read back through a
 * view of its low bytes. V8's optimizing compiler keeps a bigint stored to a
 * BigInt64Array in a machine register (the store wraps it to 64 bits, as C
 * does), where BigInt.asIntN() and Number() each make a heap bigint or call
 * out: on the translated percpu_counter_add_batch(), which narrows its s64
 * count twice per call, 24 ns of 109 (bench/cc-counter-parts.ts).
 *
 * Internal to translated code, which passes bigints only: not exported by
 * the package's index.
 */
const word = new BigInt64Array(1);
/** Where the low bytes of `word` are: first on a little-endian machine, last on a big-endian one. */
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const i32 = new Int32Array(word.buffer);
const u32 = new Uint32Array(word.buffer);
const i16 = new Int16Array(word.buffer);
const u16 = new Uint16Array(word.buffer);
const i8 = new Int8Array(word.buffer);
const u8 = new Uint8Array(word.buffer);
const LOW32 = LITTLE ? 0 : 1;
const LOW16 = LITTLE ? 0 : 3;
const LOW8 = LITTLE ? 0 : 7;

/** `(s32)x`, `(int)x` of a 64-bit x. */
export function to_s32(x: bigint): number {
  word[0] = x;
  return i32[LOW32];
}

/** `(u32)x`, `(unsigned int)x` of a 64-bit x. */
export function to_u32(x: bigint): number {
  word[0] = x;
  return u32[LOW32];
}

/** `(s16)x` of a 64-bit x. */
export function to_s16(x: bigint): number {
  word[0] = x;
  return i16[LOW16];
}

/** `(u16)x` of a 64-bit x. */
export function to_u16(x: bigint): number {
  word[0] = x;
  return u16[LOW16];
}

/** `(s8)x`, `(signed char)x` of a 64-bit x. */
export function to_s8(x: bigint): number {
  word[0] = x;
  return i8[LOW8];
}

/** `(u8)x`, `(unsigned char)x` of a 64-bit x. */
export function to_u8(x: bigint): number {
  word[0] = x;
  return u8[LOW8];
}
