/**
 * src/lib/narrow.ts: the narrowing conversions translated code uses for a
 * 64-bit value are BigInt.asIntN/asUintN to the target's width, for every
 * bigint: the boundaries of each width, the 64-bit extremes, values wider
 * than 64 bits, and random ones.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { to_s16, to_s32, to_s8, to_u16, to_u32, to_u8 } from '../../src/lib/narrow.js';

const FORMS: readonly [string, (x: bigint) => number, number, boolean][] = [
  ['to_s32', to_s32, 32, true], ['to_u32', to_u32, 32, false],
  ['to_s16', to_s16, 16, true], ['to_u16', to_u16, 16, false],
  ['to_s8', to_s8, 8, true], ['to_u8', to_u8, 8, false],
];

const reference = (bits: number, signed: boolean, x: bigint): number => Number(signed ? BigInt.asIntN(bits, x) : BigInt.asUintN(bits, x));

const EDGES: bigint[] = [];
for (const b of [7n, 8n, 15n, 16n, 31n, 32n, 53n, 63n, 64n, 65n, 100n]) {
  for (const d of [-1n, 0n, 1n]) EDGES.push((1n << b) + d, -(1n << b) + d);
}
EDGES.push(0n, 1n, -1n, 0x1234_5678_9abc_def0n, -0x1234_5678_9abc_def0n);

describe('narrowing a 64-bit value', () => {
  it.each(FORMS)('%s is BigInt.as(U)IntN of its width on the edges of every width', (_, f, bits, signed) => {
    for (const x of EDGES) expect(f(x), String(x)).toBe(reference(bits, signed, x));
  });

  it('agrees with BigInt.as(U)IntN on random 64-bit and wider values', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(1n << 80n), max: 1n << 80n }), (x) => {
      for (const [, f, bits, signed] of FORMS) expect(f(x)).toBe(reference(bits, signed, x));
    }), { numRuns: 2000 });
  });
});
