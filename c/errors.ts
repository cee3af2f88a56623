/**
 * A generation error that points into the input: `file:line: error: message`,
 * the form compilers and QEMU's decodetree use, so editors can jump to it.
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
