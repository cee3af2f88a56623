/**
 * The argument check of the shared-memory primitives (spinlock, mutex,
 * barrier): a word is an Int32Array over shared memory and an index into it.
 * Atomics would refuse anything else too, but in words that name neither the
 * call nor the argument.
 */
import { describe } from '../types.js';

export function checkWord(word: unknown, index: unknown, what: string): void {
  if (!(word instanceof Int32Array)) throw new TypeError(`${what}: word must be an Int32Array over shared memory, got ${describe(word)}`);
  if (typeof index !== 'number' || (index >>> 0) !== index || index >= word.length) {
    throw new RangeError(`${what}: index must be an integer from 0 to ${word.length - 1} (a word of the array), got ${describe(index)}`);
  }
}
