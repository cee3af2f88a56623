/**
 * Semantics proven against gcc: each t_* function of test/cc/diff/*.c is
 * compiled by gcc (against the same headers, plus the one-CPU userspace shim)
 * and translated by percpu-cc; both run the same generated call sequence
 * (fast-check, fixed seed, edge values weighted in) in one process each, and
 * every result must be equal — for the fast flavour and for the stepped one.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../cc/compile.js';
import type { CType, IntType } from '../../cc/ctype.js';
import { Machine } from '../../src/machine.js';
import { drain, translateAndLoad } from './support.js';

const DIR = path.join(ROOT, 'test/cc/diff');
const hasGcc = spawnSync('gcc', ['--version']).status === 0;

function intArb(t: IntType): fc.Arbitrary<bigint> {
  const bits = BigInt(t.size * 8);
  const min = t.signed ? -(1n << (bits - 1n)) : 0n;
  const max = t.signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  const edges = [0n, 1n, 2n, 3n, 7n, 31n, 32n, 63n, 64n, 100n, 255n, 256n, max, max - 1n, min, min + 1n, -1n, -2n, 0x7fffffffn, 0x80000000n, 0xffffffffn]
    .filter((v) => v >= min && v <= max);
  return fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...edges) }, { weight: 2, arbitrary: fc.bigInt(min, max) }, { weight: 1, arbitrary: fc.bigInt(-300n < min ? min : -300n, 300n > max ? max : 300n) });
}

function cSpell(t: CType): string {
  const i = t as IntType;
  if (i.bool) return '_Bool';
  return `${i.signed ? 'signed ' : 'unsigned '}${({ 1: 'char', 2: 'short', 4: 'int', 8: 'long long' } as Record<number, string>)[i.size]}`;
}

describe.skipIf(!hasGcc)('percpu-cc against gcc', () => {
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.c'))) {
    it(`${file}: every t_* function agrees with gcc on generated inputs`, async () => {
      const { compiled, fast, stepped } = await translateAndLoad(path.join(DIR, file));
      const fns = compiled.functions.filter((f) => f.name.startsWith('t_'));
      expect(fns.length).toBeGreaterThan(10);
      // One call sequence for both sides: [function index, args].
      const calls: [number, bigint[]][] = [];
      fns.forEach((f, k) => {
        const arb = fc.tuple(...f.type.params.map((p) => intArb(p as IntType)));
        for (const args of fc.sample(arb, { numRuns: 150, seed: 0x5eed + k })) calls.push([k, args]);
      });
      // Interleave deterministically so stateful functions see mixed histories.
      calls.sort((a, b) => ((a[0] * 7919 + Number(a[1][0] ?? 0n) % 13) % 17) - ((b[0] * 7919 + Number(b[1][0] ?? 0n) % 13) % 17));

      const scratch = mkdtempSync(path.join(os.tmpdir(), 'percpu-cc-diff-'));
      try {
        const driver = [
          `#include "${path.join(DIR, file)}"`,
          'int main(void) {',
          '  int k; unsigned long long a[4];',
          '  while (scanf("%d %llu %llu %llu %llu", &k, &a[0], &a[1], &a[2], &a[3]) == 5) {',
          '    switch (k) {',
          ...fns.map((f, k) => {
            const args = f.type.params.map((p, i) => `(${cSpell(p)})a[${i}]`).join(', ');
            const r = f.type.ret as IntType;
            const fmt = r.size === 8 && !r.signed ? '%llu' : '%lld';
            const cast = r.size === 8 && !r.signed ? '(unsigned long long)' : '(long long)';
            return `    case ${k}: printf("${fmt}\\n", ${cast}${f.name}(${args})); break;`;
          }),
          '    }',
          '  }',
          '  return 0;',
          '}',
        ].join('\n');
        writeFileSync(path.join(scratch, 'main.c'), driver);
        const exe = path.join(scratch, 'a.out');
        const cc = spawnSync('gcc', [
          '-O1', '-fno-strict-overflow', '-fwrapv', '-funsigned-char', '-w', '-I', path.join(ROOT, 'c/include'), '-I', path.join(ROOT, 'templates'),
          '-include', path.join(DIR, 'userspace-shim.h'), path.join(scratch, 'main.c'), '-o', exe,
        ], { encoding: 'utf8' });
        expect(cc.stderr).toBe('');
        expect(cc.status).toBe(0);
        const input = calls.map(([k, args]) => `${k} ${[0, 1, 2, 3].map((i) => BigInt.asUintN(64, args[i] ?? 0n).toString()).join(' ')}`).join('\n');
        const run = spawnSync(exe, { input, encoding: 'utf8', maxBuffer: 64 << 20 });
        expect(run.status).toBe(0);
        const want = run.stdout.trim().split('\n');
        expect(want.length).toBe(calls.length);

        for (const flavour of ['fast', 'stepped'] as const) {
          const m = new Machine({ cpus: 1 });
          m.debugPreempt = false;
          const inst = (flavour === 'fast' ? fast : stepped).instantiate(m) as Record<string, (...a: (number | bigint)[]) => unknown>;
          m.boot();
          const got = calls.map(([k, args]) => {
            const f = fns[k];
            const conv = f.type.params.map((p, i) => ((p as IntType).size === 8 ? args[i] : Number(args[i])));
            const r = inst[f.name](...conv);
            const v = flavour === 'fast' ? r : drain(r as Generator<unknown, unknown, undefined>);
            return String(v);
          });
          const firstBad = got.findIndex((g, i) => g !== want[i]);
          if (firstBad >= 0) {
            const [k, args] = calls[firstBad];
            expect.fail(`${flavour}: ${fns[k].name}(${args.join(', ')}) = ${got[firstBad]}, gcc says ${want[firstBad]} (call ${firstBad + 1} of ${calls.length})`);
          }
        }
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });
  }
});
