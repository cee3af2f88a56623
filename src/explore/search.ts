/**
 * The exhaustive search: a depth-first walk of the tree of schedules, with one
 * of three reductions.
 *
 *   none     every enabled transition at every point (the naive search);
 *   sleep    sleep sets (Godefroid 1996): once the subtree under t has been
 *            explored from a state, t sleeps in its later siblings' subtrees
 *            for as long as the transitions taken are independent of it;
 *   optimal  source sets with wakeup trees (Abdulla, Aronis, Jonsson and
 *            Sagonas, "Optimal Dynamic Partial Order Reduction", POPL 2014,
 *            Algorithm 2): explores exactly one schedule per Mazurkiewicz trace
 *            and never a path that sleep sets cut short.
 *
 * Optimal DPOR in a few lines. Every transition taken on the current path is an
 * event; event i happens before event j when a chain of dependent events leads
 * from i to j. When a path ends, every pair of events i, j that race (j's
 * immediate happens-before predecessor is i, and they are different transitions
 * — different tokens) could have gone the other way round. The sequence
 * v = notdep(i).j — the events after i that do not happen after it, in order,
 * then j — reverses the race from the state before i. Unless a transition of
 * that state's sleep set is a weak initial of v (the reversed order is then
 * already covered), v is inserted into the state's wakeup tree: an ordered tree
 * of sequences still to explore, in which v is merged with a branch it extends
 * up to reordering of independent transitions. The search explores the wakeup
 * tree's branches leftmost first, each with the sleep set of the transitions
 * explored before it. Footprints (see src/sched/step.ts and the resources of
 * src/sched/scheduler.ts) define dependence; a token names the same transition
 * in every reordering of independent ones (every step of a CPU, and whatever
 * changes who runs there, writes `sched:cpu:N`, so they keep their order). A
 * transition that has run carries all it touched (Scheduler.touchesOf()); one
 * that has not, what it may touch besides (Ev.unknown), counted as touched.
 *
 * The machine cannot be copied mid-schedule (generator frames cannot be
 * cloned), so reaching a state again means building the world afresh and
 * replaying the path to it; the replay skips the scenario's checks, which the
 * path already passed (see Scheduler.checking), and each schedule's machine is
 * retired so its memory backs the next one.
 */
import { overlap, type Touch } from '../sched/step.js';
import type { Transition } from '../sched/scheduler.js';

/** How the exhaustive search prunes equivalent schedules: `optimal` (optimal DPOR with wakeup trees), `sleep` (sleep sets only) or `none` (every interleaving). */
export type Reduction = 'optimal' | 'sleep' | 'none';
/** Every reduction, in the order the CLI and the benchmark list them. */
export const REDUCTIONS: readonly Reduction[] = ['optimal', 'sleep', 'none'];

/** A transition as the search remembers it: its token and footprint. */
export interface Ev {
  readonly token: string;
  /** What it touches: once it has run, all of it (Scheduler.touchesOf()); before, what can be known then. */
  readonly touches: readonly Touch[];
  /** Not yet run: what it may touch besides (Transition.unknown), counted as touched. */
  readonly unknown?: readonly Touch[];
  /** The transition that stopped its schedule (a violation): it conflicts with every transition. */
  readonly stop?: boolean;
  /** A step that may have to wait (see Transition.blocking). */
  readonly blocking?: boolean;
}

/**
 * Two transitions conflict (a stopping one with everything). What a transition
 * that has not run yet may touch (`unknown`: a step that may end or block its
 * task) counts as touched, so a transition is never taken to commute with
 * another before it is known to.
 */
export function dependent(a: Ev, b: Ev): boolean {
  if (a.stop === true || b.stop === true || overlap(a.touches, b.touches)) return true;
  const ua = a.unknown;
  const ub = b.unknown;
  if (ua === undefined && ub === undefined) return false;
  return (ua !== undefined && (overlap(ua, b.touches) || (ub !== undefined && overlap(ua, ub)))) || (ub !== undefined && overlap(a.touches, ub));
}

/** A node of a wakeup tree: the transition to take, then the sequences below it. */
export interface WNode {
  readonly ev: Ev;
  children: WNode[];
}

/** A state on the current path. */
export interface SearchNode {
  /** Transitions explored from here or from an ancestor that are still independent of the path since. */
  sleep: Ev[];
  /** Children still to explore, first is next (none/sleep: enabled transitions; optimal: the wakeup tree). */
  todo: WNode[];
  /** The transition taken from this node on the current path. */
  taken: (Transition & { stop?: boolean }) | null;
  /** Optimal: the events that happen before `taken` (bit i is the event taken at depth i). */
  hb: Uint32Array | null;
  /** Optimal: the tokens enabled here (a race whose later transition was not, and nothing else enables it, cannot be reversed). */
  enabled: readonly string[] | null;
}

const leaf = (ev: Ev): WNode => ({ ev, children: [] });

/** The node of a state reached with `sleep` and the wakeup subtree `wut`, given what is enabled there. */
export function makeNode(reduction: Reduction, en: readonly Transition[], sleep: Ev[], wut: WNode[]): SearchNode {
  let todo: WNode[];
  if (reduction === 'none') {
    todo = en.map(leaf);
  } else if (reduction === 'sleep') {
    todo = [];
    for (const t of en) if (!asleep(sleep, t.token)) todo.push(leaf(t));
  } else {
    if (wut.length > 0) {
      todo = wut;
    } else {
      todo = [];
      for (const t of en) {
        if (asleep(sleep, t.token)) continue;
        todo.push(leaf(t));
        break;
      }
    }
    // The scheduler's own choices are explored wherever they are enabled (see optional()).
    for (const t of en) {
      if (optional(t) && !asleep(sleep, t.token) && !inTodo(todo, t.token)) todo.push(leaf(t));
    }
  }
  let enabled: string[] | null = null;
  if (reduction === 'optimal') {
    enabled = [];
    for (const t of en) enabled.push(t.token);
  }
  return { sleep, todo, taken: null, hb: null, enabled };
}

/** The transition of this token sleeps at the node. */
export function isAsleep(node: SearchNode, token: string): boolean {
  return asleep(node.sleep, token);
}

function inTodo(todo: readonly WNode[], token: string): boolean {
  for (const c of todo) if (c.ev.token === token) return true;
  return false;
}

function asleep(sleep: readonly Ev[], token: string): boolean {
  for (const z of sleep) if (z.token === token) return true;
  return false;
}

/**
 * Optimal: drops the branches at the front of the node's todo that cannot
 * start there — not enabled at its state (an irreversible race), or asleep —
 * as the walk does when it reaches the node; true when none is left.
 */
export function dropUnstartable(node: SearchNode): boolean {
  const en = node.enabled!;
  while (node.todo.length > 0) {
    const want = node.todo[0]!.ev.token;
    if (en.includes(want) && !asleep(node.sleep, want)) return false;
    node.todo.shift();
  }
  return true;
}

/** The sleep set of the child reached by `t`: the members independent of it. */
export function childSleep(reduction: Reduction, node: SearchNode, t: Transition): Ev[] {
  if (reduction === 'none') return [];
  const out: Ev[] = [];
  for (const z of node.sleep) if (!dependent(z, t)) out.push(z);
  return out;
}

/**
 * After the subtree under `node.taken` is done: the taken transition joins the
 * sleep set and leaves the list of children. Returns true when children remain.
 */
export function finishChild(reduction: Reduction, node: SearchNode): boolean {
  const t = node.taken!;
  if (reduction !== 'none') node.sleep.push(t.stop === true ? { token: t.token, touches: t.touches, stop: true } : { token: t.token, touches: t.touches });
  node.todo.shift();
  node.taken = null;
  node.hb = null;
  return node.todo.length > 0;
}

function has(bits: Uint32Array, i: number): boolean {
  return (i >>> 5) < bits.length && (bits[i >>> 5]! & (1 << (i & 31))) !== 0;
}

/** Happens-before predecessors of the event at `depth`: the events it depends on, and theirs. */
export function happensBefore(path: readonly SearchNode[], depth: number, touches: readonly Touch[]): Uint32Array {
  const hb = new Uint32Array((depth >>> 5) + 1);
  for (let i = depth - 1; i >= 0; i--) {
    if (has(hb, i)) continue;
    if (!overlap(path[i]!.taken!.touches, touches)) continue;
    hb[i >>> 5]! |= 1 << (i & 31);
    const p = path[i]!.hb!;
    for (let w = 0; w < p.length; w++) hb[w]! |= p[w]!;
  }
  return hb;
}

/** Index of the first event of `w` with this token when no earlier event of `w` depends on it, else -1. */
function initialIndex(w: readonly Ev[], token: string): number {
  for (let k = 0; k < w.length; k++) {
    if (w[k]!.token !== token) continue;
    for (let l = 0; l < k; l++) if (dependent(w[l]!, w[k]!)) return -1;
    return k;
  }
  return -1;
}

/**
 * The scheduler's own choices — a preemption (`p…`), a migration (`m…`), an
 * interrupt (`i…`) — may stay enabled and never be taken, so a run from here
 * that does not contain one is not covered by a run that starts with it, however
 * independent. A step (a CPU number) is performed in every run that goes on.
 */
function optional(e: Ev): boolean {
  const c = e.token.charCodeAt(0);
  return c < 48 || c > 57;
}

/** e commutes with every transition of w and will happen anyway: w can be taken after e. */
function independentOfAll(e: Ev, w: readonly Ev[]): boolean {
  if (optional(e)) return false;
  for (const x of w) if (dependent(e, x)) return false;
  return true;
}

/** q is a weak initial of w: w may start with q up to reordering, or q commutes with all of w. */
function weakInitial(q: Ev, w: readonly Ev[]): boolean {
  return initialIndex(w, q.token) >= 0 || independentOfAll(q, w);
}

/**
 * insert[E](v, wut): descends the tree along branches v extends (up to
 * reordering); stops when it reaches a leaf or v runs out (v is covered), else
 * adds the rest of v as a new rightmost branch.
 */
export function insertWakeup(tree: WNode[], v: readonly Ev[]): void {
  let children = tree;
  const w = [...v];
  for (;;) {
    if (w.length === 0) return;
    let next: WNode | null = null;
    for (const c of children) {
      const k = initialIndex(w, c.ev.token);
      if (k >= 0) {
        w.splice(k, 1);
        next = c;
        break;
      }
      if (independentOfAll(c.ev, w)) {
        next = c;
        break;
      }
    }
    if (next === null) {
      let chain: WNode[] = children;
      for (const e of w) {
        const n = leaf(e);
        chain.push(n);
        chain = n.children;
      }
      return;
    }
    if (next.children.length === 0) return;
    children = next.children;
  }
}

/**
 * A transition enabled beside the one taken and dependent on it may never run
 * later: the scheduler's own choices (a preemption, a migration, an interrupt)
 * are disabled by what they conflict with — the task exits, disables
 * preemption, or the CPU's next step becomes a handler's — so race detection
 * between performed events would never see them. Each such sibling is added to
 * the wakeup tree of the state where both were enabled, unless it sleeps there.
 * `t` has run (its whole footprint); a sibling has not, so what it may touch
 * once it runs (`unknown`: its task may end and hand its CPU to the next task)
 * counts. Without that, a race between a migration and the step that ends the
 * destination CPU's task was taken as covered by exploring first a step of the
 * migrated task that, in the reversed order, never runs on its old CPU at all
 * (the step token `c` "happens anyway" only while its task is not moved away):
 * percpu-counter lost 14 of its 93 trace classes.
 */
export function disabledSiblings(node: SearchNode, en: readonly Transition[], t: Ev): void {
  for (const x of en) {
    if (x.token === t.token || !dependent(x, t) || asleep(node.sleep, x.token)) continue;
    insertWakeup(node.todo, [x]);
  }
}

/**
 * A schedule that stops early (a violation, or the step limit) at its last
 * transition V: V disables every other transition, so it depends on all of
 * them, which its footprint could not say before it ran. The naive search also
 * runs V after more of the transitions its footprint commutes with, each such
 * run a trace of its own. So V is marked to conflict with everything: as a
 * sleep-set member it wakes at the next transition taken (sleep sets would
 * otherwise cut the runs where something else goes first and V stops later);
 * with optimal DPOR its happens-before set is the whole path, so race detection
 * reverses V with each event just before it, and each other transition enabled
 * beside V becomes a child of the state before V — a child of its own: that V
 * commutes with it does not put it in V's subtree, which ends at V.
 */
export function stopAt(reduction: Reduction, path: SearchNode[], last: number, en: readonly Transition[]): void {
  const node = path[last]!;
  const t = node.taken!;
  node.taken = { ...t, stop: true };
  if (reduction !== 'optimal') return;
  const hb = new Uint32Array((last >>> 5) + 1);
  for (let i = 0; i < last; i++) hb[i >>> 5]! |= 1 << (i & 31);
  node.hb = hb;
  for (const x of en) {
    if (x.token === t.token || asleep(node.sleep, x.token) || inTodo(node.todo, x.token)) continue;
    node.todo.push(leaf(x));
  }
}

function anyDependent(w: readonly Ev[], e: Ev): boolean {
  for (const x of w) if (dependent(x, e)) return true;
  return false;
}

/** A transition asleep at the state is a weak initial of `v`: the reversed order is covered there. */
function coveredBySleep(sleep: readonly Ev[], v: readonly Ev[]): boolean {
  for (const q of sleep) if (weakInitial(q, v)) return true;
  return false;
}

/**
 * Race detection for a finished path (optimal reduction): for each event j from
 * `from` on, each immediate happens-before predecessor i of another token gives
 * the reversing sequence notdep(i).j, inserted at the state before i unless that
 * state's sleep set covers it.
 */
export function detectRaces(path: readonly SearchNode[], events: number, from: number): void {
  for (let j = from; j < events; j++) {
    const hj = path[j]!.hb!;
    const ej = path[j]!.taken!;
    const covered = new Uint32Array(hj.length);
    for (let i = j - 1; i >= 0; i--) {
      if (!has(hj, i) || has(covered, i)) continue;
      const ei = path[i]!.taken!;
      const hi = path[i]!.hb!;
      // Only reached past a race that could not be reversed (below): keep looking further back.
      if (!dependent(ei, ej)) continue;
      if (ei.token === ej.token) {
        for (let w = 0; w < hi.length; w++) covered[w]! |= hi[w]!;
        continue;
      }
      const v: Ev[] = [];
      for (let k = i + 1; k < events; k++) if (!has(path[k]!.hb!, i)) v.push(path[k]!.taken!);
      const node = path[i]!;
      // i enabled j (a migration back, a preemption once preemption is on, a lock step once the lock
      // is free): the race cannot be reversed, but an earlier event j conflicts with may be (the
      // lock's previous acquisition), so the events before i stay candidates.
      if (!node.enabled!.includes(ej.token) && !anyDependent(v, ej)) continue;
      // A blocking j (a lock) may still not be able to go first, so the earlier candidates stay.
      if (ej.blocking !== true) for (let w = 0; w < hi.length; w++) covered[w]! |= hi[w]!;
      v.push(ej);
      if (coveredBySleep(node.sleep, v)) continue;
      insertWakeup(node.todo, v);
    }
  }
}
