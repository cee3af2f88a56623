/**
 * A sleeping mutex on one Int32 word of shared memory, built from
 * Atomics.compareExchange/exchange and Atomics.wait/notify the way a futex
 * mutex is (Drepper, "Futexes Are Tricky", mutex #2). The word holds
 *   0  unlocked
 *   1  locked, nobody waiting
 *   2  locked, maybe waiters — unlock must wake one
 * so an uncontended lock/unlock pair is two atomic ops and no system call.
 * Usable only where Atomics.wait is allowed (worker threads; Node's main thread).
 */
import { checkWord } from './word.js';

/** The value of an unlocked mutex word (0): what a new word must hold. */
export const MUTEX_UNLOCKED = 0;
/** Mutex word value: locked, nobody waiting. */
export const MUTEX_LOCKED = 1;
/** Mutex word value: locked, and a waiter may sleep on it. */
export const MUTEX_CONTENDED = 2;

/** Takes the futex-style mutex at `word[index]`, sleeping in Atomics.wait while it is contended. */
export function mutex_lock(word: Int32Array, index: number): void {
  checkWord(word, index, 'mutex_lock');
  let c = Atomics.compareExchange(word, index, MUTEX_UNLOCKED, MUTEX_LOCKED);
  if (c === MUTEX_UNLOCKED) return;
  // Announce a waiter before sleeping, so the holder's unlock wakes us.
  if (c !== MUTEX_CONTENDED) c = Atomics.exchange(word, index, MUTEX_CONTENDED);
  while (c !== MUTEX_UNLOCKED) {
    Atomics.wait(word, index, MUTEX_CONTENDED);
    c = Atomics.exchange(word, index, MUTEX_CONTENDED);
  }
}

/** Releases the mutex at `word[index]`, waking one waiter if there may be one. */
export function mutex_unlock(word: Int32Array, index: number): void {
  checkWord(word, index, 'mutex_unlock');
  const prev = Atomics.sub(word, index, 1);
  if (prev === MUTEX_LOCKED) return;
  if (prev !== MUTEX_CONTENDED) {
    Atomics.add(word, index, 1);
    throw new Error(`mutex_unlock: the mutex at word ${index} is not locked (state ${prev}); an unlock without a matching lock`);
  }
  Atomics.store(word, index, MUTEX_UNLOCKED);
  Atomics.notify(word, index, 1);
}
