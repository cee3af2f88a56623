/**
 * The oracle for every generated op: the kernel's semantics written the slow,
 * obvious way in BigInt arithmetic modulo 2^(8·width). Architecture-independent:
 * every backend's ops must agree with it.
 */
export interface RefArgs {
  val?: number | bigint;
  oval?: number | bigint;
  nval?: number | bigint;
  /** try_cmpxchg's expected value (what ovalp.value holds on entry). */
  ovalp?: number | bigint;
}

export interface RefResult {
  /** The copy's new bits. */
  readonly next: bigint;
  /** What the op returns (undefined for void ops). */
  readonly ret: bigint | boolean | undefined;
  /** ovalp.value after a try_cmpxchg (unchanged on success). */
  readonly ovalp?: bigint;
}

export interface OpName {
  readonly variant: 'raw_cpu' | '__this_cpu' | 'this_cpu';
  readonly base: string;
  readonly width: 1 | 2 | 4 | 8 | 16;
}

/** Splits `__this_cpu_add_return_4` into variant, base op and width. */
export function parseOpName(name: string): OpName | null {
  const m = /^(raw_cpu|__this_cpu|this_cpu)_([a-z_]+?)(?:_(1|2|4|8)|(64|128))$/.exec(name);
  if (!m) return null;
  const width = (m[3] !== undefined ? Number(m[3]) : m[4] === '64' ? 8 : 16) as OpName['width'];
  return { variant: m[1] as OpName['variant'], base: m[2] + (m[4] ?? ''), width };
}

/** The operand names each base op takes, in order. */
export function operandsOf(base: string): readonly (keyof RefArgs)[] {
  if (/^try_cmpxchg/.test(base)) return ['ovalp', 'nval'];
  if (/^cmpxchg/.test(base)) return ['oval', 'nval'];
  if (base === 'xchg') return ['nval'];
  if (['write', 'add', 'sub', 'and', 'or', 'add_return', 'sub_return'].includes(base)) return ['val'];
  return [];
}

export function refOp(base: string, width: number, cur: bigint, a: RefArgs): RefResult {
  const bits = width * 8;
  const w = (v: number | bigint | undefined): bigint => BigInt.asUintN(bits, BigInt(v ?? 0));
  const op = base.replace(/(64|128)$/, '');
  switch (op) {
    case 'read':
    case 'read_stable': return { next: cur, ret: cur };
    case 'write': return { next: w(a.val), ret: undefined };
    case 'add': return { next: w(cur + w(a.val)), ret: undefined };
    case 'sub': return { next: w(cur - w(a.val)), ret: undefined };
    case 'inc': return { next: w(cur + 1n), ret: undefined };
    case 'dec': return { next: w(cur - 1n), ret: undefined };
    case 'and': return { next: cur & w(a.val), ret: undefined };
    case 'or': return { next: cur | w(a.val), ret: undefined };
    case 'add_return': { const n = w(cur + w(a.val)); return { next: n, ret: n }; }
    case 'sub_return': { const n = w(cur - w(a.val)); return { next: n, ret: n }; }
    case 'inc_return': { const n = w(cur + 1n); return { next: n, ret: n }; }
    case 'dec_return': { const n = w(cur - 1n); return { next: n, ret: n }; }
    case 'xchg': return { next: w(a.nval), ret: cur };
    case 'cmpxchg': return { next: cur === w(a.oval) ? w(a.nval) : cur, ret: cur };
    case 'try_cmpxchg': {
      const ok = cur === w(a.ovalp);
      return { next: ok ? w(a.nval) : cur, ret: ok, ovalp: ok ? BigInt(a.ovalp ?? 0) : cur };
    }
    default: throw new Error(`reference model: no op '${base}'`);
  }
}

/** Interesting values of a width: 0, 1, all ones, the sign boundary, and values that wrap. */
export function edgeValues(width: number): (number | bigint)[] {
  const bits = BigInt(width * 8);
  const big = width >= 8;
  const raw = [0n, 1n, -1n, 2n, (1n << (bits - 1n)) - 1n, 1n << (bits - 1n), -(1n << (bits - 1n)), (1n << bits) - 1n, (1n << bits) + 5n, -(1n << bits) - 3n, 0x5an];
  if (big) return raw;
  return raw.filter((v) => v >= -(2n ** 53n) && v <= 2n ** 53n).map(Number).concat([2 ** 53, -(2 ** 53), 2 ** 60]);
}
