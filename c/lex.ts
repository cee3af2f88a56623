/**
 * The C lexer of the project's one front end: C source text to preprocessing
 * tokens (C11 6.4), each with the file, line and column it was written at.
 *
 * Translation phases 1-3 happen here: a UTF-8 byte order mark is dropped,
 * backslash-newline splices join physical lines, and each comment becomes
 * white space — so a block comment that spans lines inside a #define does not
 * end the directive, as the C standard says (5.1.1.2 phase 3). Tokens are
 * grouped into logical lines, which is what the preprocessor's directives are
 * made of.
 */
import { CError } from './errors.js';

export type TokKind = 'id' | 'num' | 'str' | 'char' | 'punct';

export interface Tok {
  readonly kind: TokKind;
  readonly text: string;
}

/** Where a token was written: 1-based line and column. */
export interface Loc {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** A token with its place in the source, as the preprocessor carries it. */
export interface PTok extends Tok {
  readonly loc: Loc;
  /** White space (or a comment) stands before the token on its line: `#x` keeps it, `##` drops it. */
  readonly space: boolean;
  /** Names a macro must not expand again here (C11 6.10.3.4: the "painted blue" set). */
  readonly hide?: ReadonlySet<string>;
}

/** Longest first, so `<<=` wins over `<<` and `<`. */
const PUNCT = [
  '...', '<<=', '>>=',
  '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '*=', '/=', '%=', '+=', '-=', '&=', '^=', '|=', '##',
  '(', ')', ',', '-', '+', '~', '!', '*', '&', '|', '^', '/', '%', '<', '>', '=', '?', ':', ';', '{', '}', '[', ']', '.', '#',
];

const ID_START = /[A-Za-z_$]/;
const ID_CHAR = /[A-Za-z0-9_$]/;

/** Drops a UTF-8 byte order mark (an editor's, not part of the C text). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Splits `text` into logical lines of tokens. `file` names the source in every
 * token's location.
 */
export function lexLines(file: string, text: string): PTok[][] {
  const src = stripBom(text).replace(/\r\n?/g, '\n');
  const lines: PTok[][] = [];
  let cur: PTok[] = [];
  let i = 0;
  let line = 1;
  let col = 1;
  let space = false;
  /** Skips backslash-newline splices at i. */
  const splice = (): void => {
    while (src[i] === '\\' && src[i + 1] === '\n') {
      i += 2;
      line++;
      col = 1;
    }
  };
  const at = (): Loc => ({ file, line, col });
  const adv = (): string => {
    const c = src[i++];
    col++;
    splice();
    return c;
  };
  splice();
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') {
      lines.push(cur);
      cur = [];
      i++;
      line++;
      col = 1;
      space = false;
      splice();
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\f' || c === '\v') {
      adv();
      space = true;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const start = at();
      adv();
      adv();
      for (;;) {
        if (i >= src.length) throw new CError(start, 'error', 'unterminated /* comment');
        if (src[i] === '*' && src[i + 1] === '/') {
          adv();
          adv();
          break;
        }
        if (src[i] === '\n') {
          i++;
          line++;
          col = 1;
          splice();
        } else {
          adv();
        }
      }
      space = true;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') adv();
      space = true;
      continue;
    }
    const loc = at();
    let text = '';
    let kind: TokKind;
    if (ID_START.test(c)) {
      kind = 'id';
      while (i < src.length && ID_CHAR.test(src[i])) text += adv();
      // An encoding prefix makes a character or string literal: L'x', u8"s".
      if ((src[i] === '"' || src[i] === "'") && /^(L|u|U|u8)$/.test(text)) {
        kind = src[i] === '"' ? 'str' : 'char';
        text += quoted(src[i], loc);
      }
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      // A pp-number (6.4.8): digits, letters, dots and exponent signs.
      kind = 'num';
      while (i < src.length) {
        const d = src[i];
        if ((d === '+' || d === '-') && /[eEpP]/.test(text.charAt(text.length - 1))) text += adv();
        else if (/[0-9A-Za-z_.]/.test(d)) text += adv();
        else break;
      }
    } else if (c === '"' || c === "'") {
      kind = c === '"' ? 'str' : 'char';
      text = quoted(c, loc);
    } else {
      const p = PUNCT.find((q) => src.startsWith(q, i));
      if (!p) throw new CError(loc, 'error', `stray '${c}' in program`);
      kind = 'punct';
      for (let k = 0; k < p.length; k++) adv();
      text = p;
    }
    cur.push({ kind, text, loc, space });
    space = false;
  }
  if (cur.length > 0) lines.push(cur);
  return lines;

  function quoted(q: string, loc: Loc): string {
    let s = adv();
    for (;;) {
      if (i >= src.length || src[i] === '\n') throw new CError(loc, 'error', `missing terminating ${q} character`);
      const d = adv();
      s += d;
      if (d === '\\') s += adv();
      else if (d === q) return s;
    }
  }
}

/** The tokens of a fragment (a macro body, an operand), without locations. */
export function tokenize(src: string): Tok[] {
  return lexLines('<text>', src).flat().map((t) => ({ kind: t.kind, text: t.text }));
}
