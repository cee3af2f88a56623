/**
 * raw_spinlock_t on one Int32 word of shared memory, for locks that worker
 * threads (CPUs) and the main thread take around short critical sections —
 * the percpu_counter's fold of a delta into its shared count.
 *
 * A kernel spinlock spins because its holder runs with interrupts off on
 * another CPU and will be done within nanoseconds. A worker thread is not
 * that CPU: the OS can deschedule it while it holds the lock (more threads
 * than cores), and a waiter spinning out its whole timeslice would then stall
 * the machine. So the waiter spins a bounded number of times — the common,
 * short wait — and only then sleeps on the word with Atomics.wait, like a
 * futex mutex (Drepper, "Futexes Are Tricky", mutex #3). The word holds
 *   0  unlocked
 *   1  locked, nobody sleeping
 *   2  locked, maybe sleepers — unlock must wake one
 * An uncontended lock/unlock pair is two atomic ops. Sleeping needs a
 * SharedArrayBuffer and a thread where Atomics.wait is allowed (Node's worker
 * threads and main thread).
 */
import { checkWord } from './word.js';

/** The value of an unlocked spinlock word (0): what a new word must hold. */
export const SPIN_UNLOCKED = 0;
/** Spinlock word value: locked, nobody waiting. */
export const SPIN_LOCKED = 1;
/** Spinlock word value: locked, and a waiter may sleep on it. */
export const SPIN_CONTENDED = 2;

/** Test-and-test-and-set attempts before sleeping: enough to cover a fold, far less than a timeslice. */
const SPINS = 200;

/** `raw_spin_lock(lock)` on the word at `word[index]`: spins a while, then sleeps in Atomics.wait. */
export function raw_spin_lock(word: Int32Array, index: number): void {
  checkWord(word, index, 'raw_spin_lock');
  arch_spin_lock(word, index);
}

/**
 * The lock itself, on a word the caller has already checked (the kernel's
 * split too: raw_spin_lock's debug checks, then arch_spin_lock). A user that
 * checked its word once — the percpu_counter at init — takes the lock with one
 * compare-exchange when it is free, small enough for V8 to inline into the fold.
 */
export function arch_spin_lock(word: Int32Array, index: number): void {
  if (Atomics.compareExchange(word, index, SPIN_UNLOCKED, SPIN_LOCKED) !== SPIN_UNLOCKED) arch_spin_lock_contended(word, index);
}

/**
 * The wait of a lock whose compare-exchange found it held (the kernel's
 * queued_spin_lock_slowpath): out of line, so the uncontended lock stays one
 * instruction. It reads before it tries again, so a waiter does not take the
 * line from the holder while the holder works.
 */
export function arch_spin_lock_contended(word: Int32Array, index: number): void {
  for (let i = 0; i < SPINS; i++) {
    // Read before the compare-exchange so waiters share the cacheline instead of bouncing it.
    if (Atomics.load(word, index) === SPIN_UNLOCKED
        && Atomics.compareExchange(word, index, SPIN_UNLOCKED, SPIN_LOCKED) === SPIN_UNLOCKED) return;
  }
  // The holder is probably descheduled: announce a sleeper, then sleep until the word changes.
  let c = Atomics.exchange(word, index, SPIN_CONTENDED);
  while (c !== SPIN_UNLOCKED) {
    Atomics.wait(word, index, SPIN_CONTENDED);
    c = Atomics.exchange(word, index, SPIN_CONTENDED);
  }
}

/** True when the lock was free and is now held by the caller. */
export function raw_spin_trylock(word: Int32Array, index: number): boolean {
  checkWord(word, index, 'raw_spin_trylock');
  return Atomics.compareExchange(word, index, SPIN_UNLOCKED, SPIN_LOCKED) === SPIN_UNLOCKED;
}

/** `raw_spin_unlock(lock)`: releases the word at `word[index]`, waking a waiter if there may be one. */
export function raw_spin_unlock(word: Int32Array, index: number): void {
  checkWord(word, index, 'raw_spin_unlock');
  arch_spin_unlock(word, index);
}

/** The unlock on a checked word (see arch_spin_lock): one exchange when nobody waits. */
export function arch_spin_unlock(word: Int32Array, index: number): void {
  const prev = Atomics.exchange(word, index, SPIN_UNLOCKED);
  if (prev !== SPIN_LOCKED) unlockSlow(word, index, prev);
}

/** A waiter to wake, or an unlock of a lock nobody held. */
function unlockSlow(word: Int32Array, index: number, prev: number): void {
  if (prev === SPIN_CONTENDED) {
    Atomics.notify(word, index, 1);
    return;
  }
  // Put back what was there (it was unlocked, or a value this lock never writes).
  Atomics.store(word, index, prev);
  throw new Error(`raw_spin_unlock: the spinlock at word ${index} is not locked (state ${prev}); an unlock without a matching lock`);
}

/** raw_spin_is_locked(). */
export function raw_spin_is_locked(word: Int32Array, index: number): boolean {
  checkWord(word, index, 'raw_spin_is_locked');
  return Atomics.load(word, index) !== SPIN_UNLOCKED;
}
