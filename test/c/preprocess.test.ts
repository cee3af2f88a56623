/**
 * The one C preprocessor (c/preprocess.ts): macros with #, ## and
 * __VA_ARGS__, conditionals, includes, -D/-U, and the location every output
 * token keeps. Outputs are compared as spelled token text.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CError } from '../../c/errors.js';
import { lexLines } from '../../c/lex.js';
import { evalCondition, preprocess, type PreprocessOptions } from '../../c/preprocess.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'percpu-pp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pp(text: string, opts: Partial<PreprocessOptions> = {}): string {
  const file = path.join(dir, 'main.c');
  writeFileSync(file, text);
  const r = preprocess(file, { includeDirs: [dir], display: (p) => path.basename(p), ...opts });
  // A space where one was written, or where a new line began.
  return r.tokens.map((t, i) => {
    const prev = r.tokens[i - 1];
    const gap = prev !== undefined && (t.space || prev.loc.line !== t.loc.line || prev.loc.file !== t.loc.file);
    return (gap ? ' ' : '') + t.text;
  }).join('');
}

function ppError(text: string): string {
  try {
    pp(text);
  } catch (e) {
    if (e instanceof CError) return e.message;
    throw e;
  }
  return 'no error';
}

describe('macros', () => {
  it('object-like and function-like, rescanned, with the invocation painted blue', () => {
    expect(pp('#define N 4\n#define SQ(x) ((x) * (x))\n#define f(a) a + f(a)\nint y = SQ(N + 1); int z = f(2);\n'))
      .toBe('int y = ((4 + 1) * (4 + 1)); int z = 2 + f(2);');
  });
  it('# stringizes the spelling, ## pastes, empty arguments are placemarkers', () => {
    expect(pp('#define S(x) #x\n#define CAT(a, b) a ## b\nS( a  +  "q\\n" ) CAT(this_cpu_add_, 4) CAT(, x) CAT(y, )\n'))
      .toBe('"a + \\"q\\\\n\\"" this_cpu_add_4 x y');
  });
  it('__VA_ARGS__ and GNU , ## __VA_ARGS__', () => {
    expect(pp('#define C(stem, v, ...) stem##1(v, __VA_ARGS__)\n#define P(fmt, ...) pr(fmt, ## __VA_ARGS__)\nC(op_, x, 1, 2) P("a") P("b", 3)\n'))
      .toBe('op_1(x, 1, 2) pr("a") pr("b", 3)');
  });
  it('arguments are expanded before substitution, but not next to # or ##', () => {
    expect(pp('#define N 7\n#define S(x) #x\n#define XS(x) S(x)\n#define G(x) x ## N\nS(N) XS(N) G(a)\n')).toBe('"N" "7" aN');
  });
  it('a function-like name without ( is left alone; #undef removes a macro', () => {
    expect(pp('#define f(x) [x]\nint (*p)(int) = f; f(1)\n#undef f\nf(2)\n')).toBe('int (*p)(int) = f; [1] f(2)');
  });
  it('-D and -U from the command line', () => {
    expect(pp('#ifdef CONFIG_X\nX=CONFIG_X\n#endif\n#ifdef __KERNEL__\nk\n#endif\n', { defines: { CONFIG_X: '3' }, undefs: ['__KERNEL__'] })).toBe('X=3');
  });
  it('a multi-line block comment inside a #define does not end it; no final newline is needed', () => {
    expect(pp('#define A 1 /* one\n two */ + 2\nA')).toBe('1 + 2');
  });
  it('a byte order mark is dropped', () => {
    expect(pp('\uFEFF#define B 5\nB\n')).toBe('5');
  });
});

describe('conditionals', () => {
  it('#if with defined, arithmetic, ?: and unsigned comparison; #elif/#else chains', () => {
    const src = [
      '#define V 3',
      '#if defined(V) && V * 2 == 6 && !defined NOPE',
      'a',
      '#endif',
      '#if -1 < 0u',
      'wrong',
      '#elif (1 ? 0x10 : 2) >> 4 == 1',
      'b',
      '#else',
      'wrong',
      '#endif',
      '#ifndef V',
      'wrong',
      '#elif V == 3',
      '#  if 0',
      'wrong',
      '#  else',
      'c',
      '#  endif',
      '#endif',
    ].join('\n');
    expect(pp(src)).toBe('a b c');
  });
  it('inactive groups are skipped, directives and all', () => {
    expect(pp('#if 0\n#error not reached\n#frob\n#endif\nok\n')).toBe('ok');
  });
  it('evaluates in intmax_t: 64-bit signed and unsigned', () => {
    const ev = (s: string): bigint => evalCondition(lexLines('x', s).flat());
    expect(ev('0x7fffffffffffffff + 1 < 0')).toBe(1n);
    expect(ev('0xffffffffffffffff == -1')).toBe(1n);
    expect(ev('1 << 40')).toBe(1n << 40n);
    expect(ev('-7 / 2 * 2 + -7 % 2')).toBe(-7n);
  });
});

describe('includes', () => {
  it('"…" beside the file, <…> on the include path, guards and #pragma once', () => {
    writeFileSync(path.join(dir, 'g.h'), '#ifndef G_H\n#define G_H\ng\n#endif\n');
    writeFileSync(path.join(dir, 'o.h'), '#pragma once\no\n');
    expect(pp('#include "g.h"\n#include <g.h>\n#include "o.h"\n#include "o.h"\nend\n')).toBe('g o end');
  });
});

describe('locations', () => {
  it('a token keeps where it was written; an expanded one is at its invocation', () => {
    const file = path.join(dir, 'loc.c');
    writeFileSync(file, '#define ADD(a, b) ((a) + \\\n  (b))\nint x =\n    ADD(y, 2);\n');
    const toks = preprocess(file, { includeDirs: [], display: () => 'loc.c' }).tokens;
    const where = (text: string): string => {
      const t = toks.find((k) => k.text === text)!;
      return `${t.loc.file}:${t.loc.line}:${t.loc.col}`;
    };
    expect(where('int')).toBe('loc.c:3:1');
    expect(where('y')).toBe('loc.c:4:9');
    expect(where('2')).toBe('loc.c:4:12');
    expect(where('+')).toBe('loc.c:4:5');
  });
});

describe('errors point at the input', () => {
  it('each with file:line:col', () => {
    expect(ppError('#define F(a, b) a\nF(1)\n')).toBe("main.c:2:1: error: macro 'F' requires 2 arguments, but 1 given");
    expect(ppError('#if 1\nx\n')).toBe('main.c:1:1: error: unterminated conditional directive (#if without #endif)');
    expect(ppError('#endif\n')).toBe('main.c:1:2: error: #endif without #if');
    expect(ppError('#else\n')).toBe('main.c:1:2: error: #else without #if');
    expect(ppError('#if 1\n#else\n#elif 1\n#endif\n')).toBe('main.c:3:2: error: #elif after #else');
    expect(ppError('#define A(x) #y\n')).toBe("main.c:1:14: error: '#' is not followed by a macro parameter");
    expect(ppError('#define A(x) ## x\n')).toBe("main.c:1:14: error: '##' cannot appear at either end of a macro expansion");
    expect(ppError('#if 1 / 0\n#endif\n')).toBe('main.c:1:7: error: division by zero in #if expression');
    expect(ppError('#define C(a,b) a##b\nC(+,-)\n')).toBe('main.c:2:1: error: pasting "+" and "-" does not give a valid preprocessing token');
    expect(ppError('int s = "abc;\n')).toBe('main.c:1:9: error: missing terminating " character');
    expect(ppError('/* open\n')).toBe('main.c:1:1: error: unterminated /* comment');
    expect(ppError('#include "nope.h"\n')).toMatch(/^main\.c:1:2: error: 'nope\.h' file not found/);
  });
});
