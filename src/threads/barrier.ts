/**
 * A reusable start barrier on shared Int32 words, so that the CPU threads of
 * one run start their jobs together (a benchmark of contention must actually
 * contend). Word 0 counts arrivals; word 1 is the generation, bumped by the
 * last thread to arrive, which releases the others sleeping on it.
 */
import { checkWord } from './word.js';
import { describe } from '../types.js';

const ARRIVED = 0;
const GENERATION = 1;

/** Bytes of shared memory one barrier needs (padded to a cacheline). */
export const BARRIER_BYTES = 64;

export function barrier_wait(control: Int32Array, parties: number): void {
  checkWord(control, GENERATION, 'barrier_wait');
  if (typeof parties !== 'number' || !Number.isInteger(parties) || parties < 1) {
    throw new RangeError(`barrier_wait: parties must be a positive integer (the threads that meet here), got ${describe(parties)}`);
  }
  const gen = Atomics.load(control, GENERATION);
  if (Atomics.add(control, ARRIVED, 1) + 1 === parties) {
    Atomics.store(control, ARRIVED, 0);
    Atomics.add(control, GENERATION, 1);
    Atomics.notify(control, GENERATION);
    return;
  }
  while (Atomics.load(control, GENERATION) === gen) Atomics.wait(control, GENERATION, gen);
}
