/**
 * What a comparison group is: a module that measures one family of
 * comparisons in its own process and returns report rows. Groups are listed
 * in bench/groups/registry.ts; adding one is a new module plus one entry there.
 */
import type { Row, ThreadsPoint } from './report.js';

export interface GroupContext {
  readonly quick: boolean;
  /** Recorded rounds (1 in quick mode). */
  readonly rounds: number;
  /** Unrecorded warm-up rounds. */
  readonly warmup: number;
  /** Repository root. */
  readonly root: string;
  /** A private temporary directory for this group (removed afterwards). */
  readonly tmp: string;
  /** Picks a loop length: `full` normally, `quick` in quick mode. */
  size(full: number, quick: number): number;
}

export interface GroupOutput {
  readonly rows: Row[];
  readonly threads?: ThreadsPoint[];
  readonly note?: string;
}

export interface BenchGroup {
  run(ctx: GroupContext): Promise<GroupOutput> | GroupOutput;
}

export interface GroupEntry {
  readonly name: string;
  readonly title: string;
  /** Files or directories (relative to the root) that must exist: the group is skipped, with a note, otherwise. */
  readonly requires: readonly string[];
  /** The module implementing the group, relative to bench/groups/ and without extension. */
  readonly module: string;
}
