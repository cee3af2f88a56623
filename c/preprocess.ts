/**
 * The C preprocessor of the project's one front end (C11 6.10): object-like
 * and function-like macros with `#`, `##` and `__VA_ARGS__` (and GNU's
 * `, ## __VA_ARGS__`), conditional inclusion (`#if`/`#ifdef`/`#ifndef`/`#elif`/
 * `#else`/`#endif` with `defined` and integer constant expressions), `#undef`,
 * `#include "…"` and `<…>` against include directories (the kernel headers the
 * project ships in c/include, then templates/ whose linux/percpu-defs.h is the
 * op generator's own table), `#pragma once`, `#error`, and -D/-U.
 *
 * Every output token keeps a source location: a token written in the file is
 * where it was written; a token that came out of a macro body is at the macro's
 * invocation (where gcc reports "in expansion of macro"), so the translator
 * can put the user's `file.c:line` on everything it emits.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CError, cError, unsupported } from './errors.js';
import { lexLines, type Loc, type PTok } from './lex.js';

export interface Macro {
  readonly name: string;
  /** null for an object-like macro. */
  readonly params: readonly string[] | null;
  readonly variadic: boolean;
  readonly body: readonly PTok[];
  readonly loc: Loc;
}

export interface PreprocessOptions {
  /** Directories searched for `#include <…>` (and for `"…"` after the includer's own folder), in order. */
  readonly includeDirs: readonly string[];
  /** -D: name → replacement text ('1' for a bare -DNAME). */
  readonly defines?: Readonly<Record<string, string>>;
  /** -U: names undefined after the predefined macros and -D. */
  readonly undefs?: readonly string[];
  /** How an include path is shown in locations (default: as found). */
  readonly display?: (absPath: string) => string;
}

export interface Preprocessed {
  readonly tokens: PTok[];
  readonly macros: ReadonlyMap<string, Macro>;
  /** Files read, in order of first inclusion (display names). */
  readonly files: readonly string[];
}

const CMDLINE: Loc = { file: '<command line>', line: 1, col: 1 };
const MAX_INCLUDE_DEPTH = 64;

interface Cond {
  /** This group's lines are kept. */
  active: boolean;
  /** Some group of this #if chain was taken already. */
  taken: boolean;
  elseSeen: boolean;
  /** The enclosing group is active. */
  readonly outer: boolean;
  readonly loc: Loc;
}

function hideWith(t: PTok, extra: ReadonlySet<string>, loc?: Loc): PTok {
  const hide = new Set(t.hide ?? []);
  for (const n of extra) hide.add(n);
  return { kind: t.kind, text: t.text, loc: loc ?? t.loc, space: t.space, hide };
}

/** The spelling of a token list as `#` makes it: one space where white space was. */
function spell(toks: readonly PTok[]): string {
  return toks.map((t, i) => (i > 0 && t.space ? ' ' : '') + t.text).join('');
}

function stringize(toks: readonly PTok[], loc: Loc): PTok {
  const s = spell(toks).replace(/\\/g, (m, off: number, all: string) => (insideLiteral(all, off) ? '\\\\' : m)).replace(/"/g, '\\"');
  return { kind: 'str', text: `"${s}"`, loc, space: false };
}

/** Backslashes are doubled by `#` only inside string and character literals. */
function insideLiteral(s: string, off: number): boolean {
  let q: string | null = null;
  for (let i = 0; i < off; i++) {
    const c = s[i];
    if (q !== null) {
      if (c === '\\') i++;
      else if (c === q) q = null;
    } else if (c === '"' || c === "'") {
      q = c;
    }
  }
  return q !== null;
}

export class Preprocessor {
  readonly macros = new Map<string, Macro>();
  private readonly files: string[] = [];
  private readonly once = new Set<string>();
  private readonly out: PTok[] = [];
  private depth = 0;

  constructor(private readonly opts: PreprocessOptions) {
    const def = (name: string, value: string): void => {
      const body = lexLines('<command line>', value).flat().map((t) => ({ ...t, loc: CMDLINE }));
      this.macros.set(name, { name, params: null, variadic: false, body, loc: CMDLINE });
    };
    // What every kernel translation unit is compiled with.
    def('__KERNEL__', '1');
    def('__STDC__', '1');
    def('__STDC_VERSION__', '201112L');
    def('__CHAR_BIT__', '8');
    def('__SIZEOF_LONG__', '8');
    def('__SIZEOF_POINTER__', '8');
    def('__LP64__', '1');
    for (const [name, value] of Object.entries(opts.defines ?? {})) {
      if (!/^[A-Za-z_]\w*$/.test(name)) throw cError(CMDLINE, `-D${name}: macro names must be identifiers`);
      def(name, value);
    }
    for (const name of opts.undefs ?? []) this.macros.delete(name);
  }

  private show(abs: string): string {
    return this.opts.display ? this.opts.display(abs) : abs;
  }

  /** Preprocesses a file; `text` is given when the caller has already read it. */
  run(abs: string, text?: string): Preprocessed {
    this.file(abs, text ?? readFileSync(abs, 'utf8'));
    return { tokens: this.out, macros: this.macros, files: this.files };
  }

  private file(abs: string, text: string): void {
    const name = this.show(abs);
    if (!this.files.includes(name)) this.files.push(name);
    const lines = lexLines(name, text);
    const conds: Cond[] = [];
    let pending: PTok[] = [];
    const active = (): boolean => conds.length === 0 || conds[conds.length - 1].active;
    const flush = (): void => {
      if (pending.length > 0) this.out.push(...this.expand(pending));
      pending = [];
    };
    for (const line of lines) {
      if (line[0]?.text !== '#') {
        if (active()) pending.push(...line);
        continue;
      }
      const hash = line[0];
      const dir = line[1];
      const rest = line.slice(2);
      if (!dir) continue; // the null directive
      const word = dir.text;
      if (word === 'if' || word === 'ifdef' || word === 'ifndef') {
        const outer = active();
        let v = false;
        if (outer) {
          if (word === 'if') v = this.condition(rest, dir.loc);
          else v = this.macros.has(this.ident(rest, `#${word}`, dir.loc)) === (word === 'ifdef');
        }
        conds.push({ active: outer && v, taken: v, elseSeen: false, outer, loc: hash.loc });
        continue;
      }
      if (word === 'elif' || word === 'else' || word === 'endif') {
        const c = conds[conds.length - 1];
        if (!c) throw cError(dir.loc, `#${word} without #if`);
        if (word === 'endif') {
          conds.pop();
          continue;
        }
        if (c.elseSeen) throw cError(dir.loc, `#${word} after #else`);
        if (word === 'else') {
          c.elseSeen = true;
          c.active = c.outer && !c.taken;
          c.taken = true;
        } else {
          const v = c.outer && !c.taken && this.condition(rest, dir.loc);
          c.active = v;
          if (v) c.taken = true;
        }
        continue;
      }
      if (!active()) continue;
      flush();
      switch (word) {
        case 'define': this.define(rest, dir.loc); break;
        case 'undef': this.macros.delete(this.ident(rest, '#undef', dir.loc)); break;
        case 'include': this.include(rest, dir.loc, abs); break;
        case 'pragma':
          if (rest[0]?.text === 'once') this.once.add(abs);
          break;
        case 'error': throw cError(dir.loc, `#error ${spell(rest)}`);
        case 'warning': break;
        default:
          throw unsupported(dir.loc, `preprocessing directive '#${word}'`, 'use #define, #undef, #include, #if/#ifdef/#ifndef/#elif/#else/#endif, #pragma once or #error');
      }
    }
    if (conds.length > 0) throw cError(conds[conds.length - 1].loc, 'unterminated conditional directive (#if without #endif)');
    flush();
  }

  private ident(rest: readonly PTok[], what: string, loc: Loc): string {
    const t = rest[0];
    if (!t || t.kind !== 'id') throw cError(t?.loc ?? loc, `macro name missing after ${what}`);
    if (rest.length > 1) throw cError(rest[1].loc, `extra tokens at end of ${what} directive`);
    return t.text;
  }

  private define(rest: readonly PTok[], loc: Loc): void {
    const n = rest[0];
    if (!n || n.kind !== 'id') throw cError(n?.loc ?? loc, 'macro names must be identifiers');
    if (n.text === 'defined') throw cError(n.loc, "'defined' cannot be used as a macro name");
    let params: string[] | null = null;
    let variadic = false;
    let i = 1;
    if (rest[1]?.text === '(' && !rest[1].space) {
      params = [];
      i = 2;
      if (rest[i]?.text === ')') {
        i++;
      } else {
        for (;;) {
          const p = rest[i];
          if (p?.text === '...') {
            variadic = true;
            params.push('__VA_ARGS__');
            i++;
          } else if (p?.kind === 'id') {
            if (params.includes(p.text)) throw cError(p.loc, `duplicate macro parameter '${p.text}'`);
            params.push(p.text);
            i++;
          } else {
            throw cError(p?.loc ?? n.loc, `expected a parameter name in the definition of '${n.text}'`);
          }
          const sep = rest[i++];
          if (sep?.text === ')') break;
          if (sep?.text !== ',' || variadic) throw cError(sep?.loc ?? n.loc, `expected ',' or ')' in the parameter list of '${n.text}'`);
        }
      }
    }
    const body = rest.slice(i);
    if (body[0]?.text === '##' || (body.length > 0 && body[body.length - 1].text === '##')) {
      throw cError((body[0]?.text === '##' ? body[0] : body[body.length - 1]).loc, "'##' cannot appear at either end of a macro expansion");
    }
    if (params !== null) {
      for (let k = 0; k < body.length; k++) {
        if (body[k].text === '#' && !(body[k + 1]?.kind === 'id' && params.includes(body[k + 1].text))) {
          throw cError(body[k].loc, "'#' is not followed by a macro parameter");
        }
      }
    }
    this.macros.set(n.text, { name: n.text, params, variadic, body, loc: n.loc });
  }

  private include(rest: readonly PTok[], loc: Loc, from: string): void {
    let toks = rest;
    if (toks[0]?.kind !== 'str' && toks[0]?.text !== '<') toks = this.expand(rest);
    let target: string;
    let quoted: boolean;
    if (toks[0]?.kind === 'str') {
      target = toks[0].text.slice(1, -1);
      quoted = true;
    } else if (toks[0]?.text === '<' && toks[toks.length - 1]?.text === '>') {
      target = toks.slice(1, -1).map((t) => t.text).join('');
      quoted = false;
    } else {
      throw cError(loc, '#include expects "FILENAME" or <FILENAME>');
    }
    const dirs = quoted ? [path.dirname(from), ...this.opts.includeDirs] : this.opts.includeDirs;
    const found = dirs.map((d) => path.join(d, target)).find((p) => existsSync(p));
    if (!found) {
      throw cError(loc, `'${target}' file not found (percpu-cc ships the kernel headers in c/include/linux: include <linux/…> from there, or a file beside the source with "…")`);
    }
    if (this.once.has(found)) return;
    if (++this.depth > MAX_INCLUDE_DEPTH) throw cError(loc, `#include nested too deeply (${MAX_INCLUDE_DEPTH})`);
    try {
      this.file(found, readFileSync(found, 'utf8'));
    } finally {
      this.depth--;
    }
  }

  /** `#if` / `#elif`: `defined` first, then macros, then the integer expression. */
  private condition(rest: readonly PTok[], loc: Loc): boolean {
    const toks: PTok[] = [];
    for (let i = 0; i < rest.length; i++) {
      const t = rest[i];
      if (t.kind === 'id' && t.text === 'defined') {
        let name: PTok | undefined;
        if (rest[i + 1]?.text === '(') {
          name = rest[i + 2];
          if (rest[i + 3]?.text !== ')') throw cError(t.loc, "missing ')' after 'defined'");
          i += 3;
        } else {
          name = rest[++i];
        }
        if (!name || name.kind !== 'id') throw cError(t.loc, "macro name missing after 'defined'");
        toks.push({ kind: 'num', text: this.macros.has(name.text) ? '1' : '0', loc: t.loc, space: t.space });
      } else {
        toks.push(t);
      }
    }
    const expanded = this.expand(toks);
    if (expanded.length === 0) throw cError(loc, '#if with no expression');
    return evalCondition(expanded) !== 0n;
  }

  /** Macro-expands a token list (C11 6.10.3.4: rescanning with the names being replaced painted blue). */
  expand(toks: readonly PTok[]): PTok[] {
    const out: PTok[] = [];
    // The input as a stack: next token on top.
    const input = toks.slice().reverse();
    while (input.length > 0) {
      const t = input.pop()!;
      if (t.kind !== 'id') {
        out.push(t);
        continue;
      }
      if (t.text === '__LINE__') {
        out.push({ kind: 'num', text: String(t.loc.line), loc: t.loc, space: t.space });
        continue;
      }
      if (t.text === '__FILE__') {
        out.push({ kind: 'str', text: JSON.stringify(t.loc.file), loc: t.loc, space: t.space });
        continue;
      }
      const m = this.macros.get(t.text);
      if (!m || t.hide?.has(t.text)) {
        out.push(t);
        continue;
      }
      const hide = new Set(t.hide ?? []);
      hide.add(m.name);
      let result: PTok[];
      if (m.params === null) {
        result = this.paste(m.body.map((b) => hideWith(b, hide, t.loc)), t.loc);
      } else {
        if (input[input.length - 1]?.text !== '(') {
          out.push(t);
          continue;
        }
        input.pop();
        const args = this.collectArgs(input, m, t.loc);
        result = this.substitute(m, args, t.loc, hide);
      }
      if (result.length > 0) result[0] = { ...result[0], space: t.space };
      for (let k = result.length - 1; k >= 0; k--) input.push(result[k]);
    }
    return out;
  }

  private collectArgs(input: PTok[], m: Macro, loc: Loc): PTok[][] {
    const args: PTok[][] = [[]];
    let depth = 0;
    for (;;) {
      const t = input.pop();
      if (!t) throw cError(loc, `unterminated argument list invoking macro '${m.name}'`);
      if (t.text === '(') depth++;
      else if (t.text === ')') {
        if (depth === 0) break;
        depth--;
      } else if (t.text === ',' && depth === 0 && !(m.variadic && args.length === m.params!.length)) {
        args.push([]);
        continue;
      }
      args[args.length - 1].push(t);
    }
    const n = m.params!.length;
    if (args.length === 1 && args[0].length === 0 && n === 0) return [];
    if (m.variadic && args.length === n - 1) args.push([]);
    if (args.length !== n) {
      throw cError(loc, `macro '${m.name}' requires ${n} argument${n === 1 ? '' : 's'}, but ${args.length} given`);
    }
    return args;
  }

  private substitute(m: Macro, args: PTok[][], loc: Loc, hide: ReadonlySet<string>): PTok[] {
    const params = m.params!;
    const body = m.body;
    const out: PTok[] = [];
    const expandedArgs = new Map<number, PTok[]>();
    const arg = (k: number): PTok[] => {
      let e = expandedArgs.get(k);
      if (!e) {
        e = this.expand(args[k]);
        expandedArgs.set(k, e);
      }
      return e;
    };
    const paramAt = (t: PTok | undefined): number => (t && t.kind === 'id' ? params.indexOf(t.text) : -1);
    for (let i = 0; i < body.length; i++) {
      const t = body[i];
      if (t.text === '#' && paramAt(body[i + 1]) >= 0) {
        out.push(stringize(args[paramAt(body[i + 1])], loc));
        i++;
        continue;
      }
      const k = paramAt(t);
      if (k >= 0) {
        // GNU: `, ## __VA_ARGS__` drops the comma when no variable arguments were given, and pastes nothing otherwise.
        if (m.variadic && k === params.length - 1 && body[i - 1]?.text === '##' && body[i - 2]?.text === ',') {
          if (args[k].length === 0) {
            out.splice(out.length - 2, 2);
          } else {
            out.pop();
            out.push(...arg(k));
          }
          continue;
        }
        const pasted = body[i - 1]?.text === '##' || body[i + 1]?.text === '##';
        const a = pasted ? args[k] : arg(k);
        if (a.length === 0) out.push({ kind: 'punct', text: '', loc, space: false }); // a placemarker
        else out.push(...a.map((x, j) => ({ ...x, space: j === 0 ? t.space : x.space })));
        continue;
      }
      out.push({ kind: t.kind, text: t.text, loc, space: t.space });
    }
    return this.paste(out, loc).map((x) => hideWith(x, hide));
  }

  /** Applies `##` and drops placemarkers. */
  private paste(toks: PTok[], loc: Loc): PTok[] {
    const out: PTok[] = [];
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      if (t.text === '##' && t.kind === 'punct' && out.length > 0 && i + 1 < toks.length) {
        const left = out.pop()!;
        const right = toks[++i];
        const text = left.text + right.text;
        if (text === '') {
          out.push(left);
          continue;
        }
        const lexed = lexLines(loc.file, text).flat();
        if (lexed.length !== 1) throw cError(loc, `pasting "${left.text}" and "${right.text}" does not give a valid preprocessing token`);
        out.push({ kind: lexed[0].kind, text, loc, space: left.space });
        continue;
      }
      out.push(t);
    }
    return out.filter((t) => !(t.kind === 'punct' && t.text === ''));
  }
}

/** Preprocesses one file with the given options. */
export function preprocess(abs: string, opts: PreprocessOptions, text?: string): Preprocessed {
  return new Preprocessor(opts).run(abs, text);
}

/** The value of an integer literal and whether its type is unsigned (C11 6.4.4.1, LP64). */
export function parseIntLiteral(text: string): { value: bigint; unsigned: boolean; long: boolean } | null {
  const m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)([uU]?(?:ll|LL|l|L)?|(?:ll|LL|l|L)[uU])$/.exec(text);
  if (!m) return null;
  const digits = m[1];
  const value = /^0[0-7]+$/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  const suffix = m[2].toLowerCase();
  return { value, unsigned: suffix.includes('u'), long: suffix.includes('l') };
}

/** A character constant's value (int): 'a', '\n', '\x41', '\0'. */
export function charValue(text: string): number | null {
  const m = /^'(.*)'$/s.exec(text);
  if (!m) return null;
  const s = m[1];
  if (s.length === 1) return s.charCodeAt(0);
  const esc: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11, '?': 63 };
  if (s.length === 2 && s[0] === '\\' && esc[s[1]] !== undefined) return esc[s[1]];
  let mm: RegExpExecArray | null;
  if ((mm = /^\\x([0-9a-fA-F]+)$/.exec(s))) return (parseInt(mm[1], 16) << 24) >> 24;
  if ((mm = /^\\([0-7]{1,3})$/.exec(s))) return (parseInt(mm[1], 8) << 24) >> 24;
  return null;
}

/**
 * An `#if` expression in intmax_t/uintmax_t (C11 6.10.1): identifiers left
 * after expansion are 0, a result is unsigned if either operand is.
 */
export function evalCondition(toks: readonly PTok[]): bigint {
  interface V { v: bigint; u: boolean }
  let i = 0;
  const peek = (): PTok | undefined => toks[i];
  const fail = (t: PTok | undefined, msg: string): CError => cError(t?.loc ?? toks[toks.length - 1].loc, msg);
  const norm = (v: bigint, u: boolean): V => ({ v: u ? BigInt.asUintN(64, v) : BigInt.asIntN(64, v), u });
  const primary = (): V => {
    const t = toks[i++];
    if (!t) throw fail(t, 'expected a value in #if expression');
    if (t.text === '(') {
      const v = comma();
      if (toks[i++]?.text !== ')') throw fail(toks[i - 1], "missing ')' in #if expression");
      return v;
    }
    if (t.kind === 'num') {
      const lit = parseIntLiteral(t.text);
      if (!lit) throw fail(t, `invalid integer constant '${t.text}' in #if expression`);
      return norm(lit.value, lit.unsigned || lit.value > 0x7fffffffffffffffn);
    }
    if (t.kind === 'char') {
      const c = charValue(t.text);
      if (c === null) throw fail(t, `unsupported character constant ${t.text}`);
      return { v: BigInt(c), u: false };
    }
    if (t.kind === 'id') {
      if (toks[i]?.text === '(') throw fail(t, `function-like macro '${t.text}' is not defined (in #if expression)`);
      return { v: t.text === 'true' ? 1n : 0n, u: false };
    }
    throw fail(t, `token '${t.text}' is not valid in a #if expression`);
  };
  const unary = (): V => {
    const t = peek();
    if (t && ['-', '+', '~', '!'].includes(t.text)) {
      i++;
      const x = unary();
      if (t.text === '-') return norm(-x.v, x.u);
      if (t.text === '~') return norm(~x.v, x.u);
      if (t.text === '!') return { v: x.v === 0n ? 1n : 0n, u: false };
      return x;
    }
    return primary();
  };
  const PREC: Record<string, number> = {
    '*': 10, '/': 10, '%': 10, '+': 9, '-': 9, '<<': 8, '>>': 8, '<': 7, '>': 7, '<=': 7, '>=': 7, '==': 6, '!=': 6,
    '&': 5, '^': 4, '|': 3, '&&': 2, '||': 1,
  };
  const binary = (minPrec: number): V => {
    let l = unary();
    for (;;) {
      const t = peek();
      const p = t ? PREC[t.text] : undefined;
      if (p === undefined || p < minPrec) return l;
      i++;
      const r = binary(p + 1);
      const u = l.u || r.u;
      const a = u ? BigInt.asUintN(64, l.v) : l.v;
      const b = u ? BigInt.asUintN(64, r.v) : r.v;
      const bool = (x: boolean): V => ({ v: x ? 1n : 0n, u: false });
      switch (t!.text) {
        case '*': l = norm(a * b, u); break;
        case '/': case '%':
          if (b === 0n) throw fail(t, 'division by zero in #if expression');
          l = norm(t!.text === '/' ? a / b : a % b, u); break;
        case '+': l = norm(a + b, u); break;
        case '-': l = norm(a - b, u); break;
        case '<<': l = norm(l.v << (r.v & 63n), l.u); break;
        case '>>': l = norm(l.v >> (r.v & 63n), l.u); break;
        case '<': l = bool(a < b); break;
        case '>': l = bool(a > b); break;
        case '<=': l = bool(a <= b); break;
        case '>=': l = bool(a >= b); break;
        case '==': l = bool(a === b); break;
        case '!=': l = bool(a !== b); break;
        case '&': l = norm(a & b, u); break;
        case '^': l = norm(a ^ b, u); break;
        case '|': l = norm(a | b, u); break;
        case '&&': l = bool(l.v !== 0n && r.v !== 0n); break;
        case '||': l = bool(l.v !== 0n || r.v !== 0n); break;
      }
    }
  };
  const conditional = (): V => {
    const c = binary(1);
    if (peek()?.text !== '?') return c;
    i++;
    const a = comma();
    if (toks[i++]?.text !== ':') throw fail(toks[i - 1], "expected ':' in #if expression");
    const b = conditional();
    return c.v !== 0n ? a : b;
  };
  const comma = (): V => {
    let v = conditional();
    while (peek()?.text === ',') {
      i++;
      v = conditional();
    }
    return v;
  };
  const v = comma();
  if (i < toks.length) throw fail(toks[i], `unexpected '${toks[i].text}' in #if expression`);
  return v.v;
}
