/**
 * Errors that point into the input, in the form compilers and QEMU's
 * decodetree use, so editors can jump to them.
 *
 * GenError is the op generator's `file:line: error: message`; CError is the
 * C front end's and the translator's `file:line:col: <kind>: message`, where
 * kind is `error` (the C is wrong: what a C compiler would reject) or
 * `unsupported` (legal C outside the translated subset, with what to do instead).
 */
export class GenError extends Error {
  override name = 'GenError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}: error: ${detail}`);
  }
}

export interface SourceLoc {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export class CError extends Error {
  override name = 'CError';
  constructor(
    readonly loc: SourceLoc,
    readonly kind: 'error' | 'unsupported',
    readonly detail: string,
  ) {
    super(`${loc.file}:${loc.line}:${loc.col}: ${kind}: ${detail}`);
  }
}

export function cError(loc: SourceLoc, detail: string): CError {
  return new CError(loc, 'error', detail);
}

/** `what` is outside the subset; `instead` says what to write instead. */
export function unsupported(loc: SourceLoc, what: string, instead: string): CError {
  return new CError(loc, 'unsupported', `${what}, ${instead}`);
}
