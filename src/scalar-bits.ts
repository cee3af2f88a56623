/**
 * Raw little-endian reads and writes of a scalar's bits at a byte address:
 * the one place that knows how 1-, 2-, 4-, 8- and 16-byte values sit in memory.
 */
import type { ScalarInfo } from './types.js';

export function readBits(v: DataView, addr: number, t: ScalarInfo): bigint {
  switch (t.size) {
    case 1: return BigInt(v.getUint8(addr));
    case 2: return BigInt(v.getUint16(addr, true));
    case 4: return BigInt(v.getUint32(addr, true));
    case 8: return v.getBigUint64(addr, true);
    default: return (v.getBigUint64(addr + 8, true) << 64n) | v.getBigUint64(addr, true);
  }
}

export function writeBits(v: DataView, addr: number, t: ScalarInfo, bits: bigint): void {
  switch (t.size) {
    case 1: v.setUint8(addr, Number(bits & 0xffn)); break;
    case 2: v.setUint16(addr, Number(bits & 0xffffn), true); break;
    case 4: v.setUint32(addr, Number(bits & 0xffffffffn), true); break;
    case 8: v.setBigUint64(addr, BigInt.asUintN(64, bits), true); break;
    default:
      v.setBigUint64(addr, BigInt.asUintN(64, bits), true);
      v.setBigUint64(addr + 8, BigInt.asUintN(64, bits >> 64n), true);
  }
}
