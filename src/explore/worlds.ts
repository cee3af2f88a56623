/**
 * Where the explorer's worlds come from. A scenario written as setup() +
 * start() (src/sched/task.ts) has its machine set up once per thread: the
 * state setup() leaves is snapshotted (src/snapshot.ts), and every later
 * schedule restores that snapshot in place and calls start() on it, instead
 * of constructing and booting a new machine, defining its per-CPU variables
 * and making its allocations again. A scenario with build() only is built
 * afresh for every schedule, and its machine retired after it (its memory
 * then backs the next boot).
 *
 * What is not restored but re-run is the schedule itself: the tasks'
 * generators cannot be copied, so a restart still replays the path from the
 * first transition (docs/explorer.md, "Snapshots").
 */
import type { Machine } from '../machine.js';
import { Snapshot } from '../snapshot.js';
import type { Scenario, World, WorldSetup } from '../sched/task.js';

/** One scenario's machine after setup(), its snapshot, and whether a world built on it is still in use. */
interface Restorer {
  readonly setup: WorldSetup;
  readonly snapshot: Snapshot;
  /** The machine holds state of a world since built: restore before the next. */
  dirty: boolean;
  /** A world on this machine has not been retired yet. */
  live: boolean;
}

const restorers = new WeakMap<Scenario, Restorer>();

/** The scenario's restorer, set up and snapshotted on first use. */
function restorerOf(s: Scenario & { setup(): WorldSetup }): Restorer {
  let r = restorers.get(s);
  if (r === undefined) {
    const setup = s.setup();
    r = { setup, snapshot: new Snapshot([setup], setup.m.shared()), dirty: false, live: false };
    restorers.set(s, r);
  }
  return r;
}

/**
 * A world for one schedule: with `snapshots` and a split scenario, start() on
 * its machine restored to the state after setup(); otherwise build(). A world
 * asked for while the restored one is still in use is built afresh.
 */
export function buildWorld(s: Scenario, snapshots: boolean): World {
  if (!snapshots || s.setup === undefined || s.start === undefined) return s.build();
  const r = restorerOf(s as Scenario & { setup(): WorldSetup });
  if (r.live) return s.build();
  if (r.dirty) r.snapshot.restore();
  r.live = true;
  r.dirty = true;
  return s.start(r.setup);
}

/** The schedule of `w` is over: a restored machine is free for the next world, a built one is retired. */
export function retireWorld(s: Scenario, w: World): void {
  const r = restorers.get(s);
  if (r !== undefined && r.setup.m === w.m) {
    r.live = false;
    return;
  }
  (w.m as Machine).retire();
}

/** The restored machine of a split scenario in this thread, or null (tests and benchmarks look at it). */
export function restoredSetup(s: Scenario): { setup: WorldSetup; snapshot: Snapshot } | null {
  const r = restorers.get(s);
  return r === undefined ? null : { setup: r.setup, snapshot: r.snapshot };
}
