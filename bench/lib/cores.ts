/**
 * Whether worker threads had their cores while they ran: the threads group
 * and the A/B scripts count a run only when they did, since time-sliced
 * workers make a per-CPU increment look slow and a contended Atomics.add look
 * cheap.
 */
/**
 * The share of `workers` cores the process had while `f` ran: its CPU time
 * (every thread's, process.cpuUsage) ÷ (wall time × workers). Near 1 when
 * each worker thread had a core to itself; well below when other work
 * time-sliced them.
 */
export async function coreShare<T>(workers: number, f: () => Promise<T>): Promise<{ value: T; share: number }> {
  const c = process.cpuUsage();
  const t = process.hrtime.bigint();
  const value = await f();
  const wall = Number(process.hrtime.bigint() - t) / 1000;
  const d = process.cpuUsage(c);
  return { value, share: (d.user + d.system) / (wall * workers) };
}

/** The least coreShare() of a run that counts: below it the workers did not have their cores. */
export const MIN_CORE_SHARE = 0.9;

/**
 * The rounds (indices) in which every witness run had its cores: each witness
 * is one run kind's coreShare() per round. The witnesses are the kinds that
 * never sleep (the per-CPU and Atomics.add runs): a lock that sleeps would
 * hide its own cost behind a low share.
 */
export function roundsWithCores(witnesses: readonly (readonly number[])[]): number[] {
  const rounds = Math.min(...witnesses.map((w) => w.length));
  return Array.from({ length: rounds }, (_, i) => i).filter((i) => witnesses.every((w) => w[i] >= MIN_CORE_SHARE));
}
