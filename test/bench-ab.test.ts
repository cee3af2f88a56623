/**
 * bench/lib/ab.ts, what the A/B scripts share: the command line, the order
 * old and new run in, and the printed spread of a ratio; and bench/lib/cores.ts's
 * choice of the rounds a threads ratio counts.
 */
import { describe, expect, it } from 'vitest';
import { abArgs, interleaved, sideOrder, spread } from '../bench/lib/ab.js';
import { MIN_CORE_SHARE, roundsWithCores } from '../bench/lib/cores.js';

const NUMBERS = { n: { value: 5000, min: 1000 }, rounds: { value: 7, min: 3 } };

describe('bench/lib/ab.ts', () => {
  it('reads --base, the numeric options (defaults otherwise) and the flags', () => {
    expect(abArgs('bench/x.ts', NUMBERS, ['--threads'], ['--base', 'HEAD~2', '--rounds', '9'])).toEqual({ base: 'HEAD~2', n: 5000, rounds: 9, flags: new Set() });
    const a = abArgs('bench/x.ts', NUMBERS, ['--threads'], ['--threads', '--n', '2000', '--base', 'main']);
    expect([a.base, a.n, a.rounds, [...a.flags]]).toEqual(['main', 2000, 7, ['--threads']]);
  });

  it('refuses a missing base, an unknown option, a missing value and a value below the least, naming them', () => {
    const err = (argv: string[]): string => {
      try {
        abArgs('bench/x.ts', NUMBERS, ['--threads'], argv);
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(err([])).toBe('usage: tsx bench/x.ts --base <git revision> [--n 5000] [--rounds 7] [--threads]');
    expect(err(['--base', 'HEAD', '--scale', '4'])).toBe('unknown option --scale (options: --base REV, --n N, --rounds N, --threads)');
    expect(err(['--base'])).toBe('--base needs a value\nusage: tsx bench/x.ts --base <git revision> [--n 5000] [--rounds 7] [--threads]');
    expect(err(['--base', 'HEAD', '--rounds', '2'])).toBe('--rounds takes an integer ≥ 3, got 2');
    expect(err(['--base', 'HEAD', '--n', '1e3.5'])).toBe('--n takes an integer ≥ 1000, got NaN');
  });

  it('runs old first in even rounds and new first in odd ones, and prints a spread as median (min–max)', () => {
    const calls: number[] = [];
    const [old, now] = interleaved(4, (side) => {
      calls.push(side);
      return calls.length;
    });
    expect(calls).toEqual([0, 1, 1, 0, 0, 1, 1, 0]);
    expect([old, now]).toEqual([[1, 4, 5, 8], [2, 3, 6, 7]]);
    expect([sideOrder(0), sideOrder(3)]).toEqual([[0, 1], [1, 0]]);
    expect(spread([1.5, 0.9, 1.25])).toBe('1.25 (0.90–1.50)');
    expect(spread([1, 2], 3)).toBe('1.500 (1.00–2.00)');
  });
});

describe('bench/lib/cores.ts', () => {
  it('counts a round only when every witness run had its cores (share ≥ MIN_CORE_SHARE), over the rounds all witnesses ran', () => {
    expect(MIN_CORE_SHARE).toBe(0.9);
    expect(roundsWithCores([[0.95, 0.5, 0.9, 1.0], [0.99, 0.99, 0.97, 0.89]])).toEqual([0, 2]);
    expect(roundsWithCores([[1, 1, 1], [1, 1]])).toEqual([0, 1]);
    expect(roundsWithCores([[0.2, 0.3]])).toEqual([]);
  });
});
