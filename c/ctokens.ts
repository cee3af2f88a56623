/**
 * The C tokens of a macro replacement list, and the preprocessor's view of a
 * macro call: NAME ( arg , arg , ... ) where each argument is a token list
 * split at top-level commas (an empty argument, as in `op(4, , pcp)`, is legal).
 */
import type { Tok } from './lex.js';

export { tokenize, type Tok, type TokKind } from './lex.js';

export function tokText(toks: readonly Tok[]): string {
  let s = '';
  let prev: Tok | undefined;
  for (const t of toks) {
    const word = (x: Tok | undefined): boolean => x !== undefined && (x.kind === 'id' || x.kind === 'num' || x.kind === 'str' || x.kind === 'char');
    if (prev?.text === ',' || (word(prev) && word(t))) s += ' ';
    s += t.text;
    prev = t;
  }
  return s;
}

/** Index of the ')' matching the '(' at `open`, or -1. */
export function matchParen(toks: readonly Tok[], open: number): number {
  let depth = 0;
  for (let i = open; i < toks.length; i++) {
    if (toks[i].text === '(') depth++;
    else if (toks[i].text === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Splits a token list at commas outside parentheses. */
export function splitTopLevel(toks: readonly Tok[]): Tok[][] {
  const parts: Tok[][] = [[]];
  let depth = 0;
  for (const t of toks) {
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    if (t.text === ',' && depth === 0) parts.push([]);
    else parts[parts.length - 1].push(t);
  }
  return parts;
}

export interface Call {
  readonly name: string;
  readonly args: Tok[][];
}

/**
 * A replacement list as a sequence of calls: either one call, or a
 * parenthesized comma expression of calls `(check(...), op(...))`.
 * Returns null when the list is not of that shape.
 */
export function parseCallSequence(toks: readonly Tok[]): Call[] | null {
  let items: Tok[][];
  if (toks.length > 0 && toks[0].text === '(' && matchParen(toks, 0) === toks.length - 1) {
    items = splitTopLevel(toks.slice(1, -1));
  } else {
    items = [toks.slice()];
  }
  const calls: Call[] = [];
  for (const it of items) {
    if (it.length < 3 || it[0].kind !== 'id' || it[1].text !== '(' || matchParen(it, 1) !== it.length - 1) return null;
    const inner = it.slice(2, -1);
    calls.push({ name: it[0].text, args: inner.length === 0 ? [] : splitTopLevel(inner) });
  }
  return calls;
}

/** Substitutes macro parameters by argument tokens, then applies `##` pasting. */
export function substitute(body: readonly Tok[], params: readonly string[], args: readonly Tok[][]): Tok[] {
  const out: Tok[] = [];
  for (const t of body) {
    const k = t.kind === 'id' ? params.indexOf(t.text) : -1;
    if (k >= 0) out.push(...args[k]);
    else out.push(t);
  }
  for (let i = 1; i < out.length - 1; i++) {
    if (out[i].text === '##') {
      const pasted: Tok = { kind: 'id', text: out[i - 1].text + out[i + 1].text };
      out.splice(i - 1, 3, pasted);
      i--;
    }
  }
  return out;
}
