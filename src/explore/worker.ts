/**
 * A worker of the parallel exhaustive search: explores the tasks it is sent
 * (subtrees of a shipped scenario's search tree, see partition() in
 * explorer.ts) and posts back each outcome with the states it reached and, when
 * asked, the schedules it ran.
 */
import { parentPort } from 'node:worker_threads';
import { exploreTask, type SearchLimits, type SearchTask, type TaskOutcome } from './explorer.js';
import { getScenario } from './scenarios/index.js';

/** A task for a worker. */
export interface TaskMessage {
  readonly scenario: string;
  readonly index: number;
  readonly task: SearchTask;
  readonly lim: SearchLimits;
  readonly wantSchedules: boolean;
  readonly wantCoverage: boolean;
}

/** What a worker sends back for a task. */
export interface OutcomeMessage {
  readonly index: number;
  readonly outcome: TaskOutcome;
  readonly states: string[] | null;
  readonly schedules: [string, string | null][] | null;
  readonly coverage: string[] | null;
  readonly error: string | null;
}

const port = parentPort;
if (port !== null) {
  port.on('message', (msg: TaskMessage) => {
    try {
      const s = getScenario(msg.scenario);
      const states = msg.lim.countStates ? new Set<string>() : null;
      const schedules: [string, string | null][] | null = msg.wantSchedules ? [] : null;
      const coverage = msg.wantCoverage ? new Set<string>() : null;
      const outcome = exploreTask(s, msg.task, msg.lim, states, schedules === null ? undefined : (x, v) => schedules.push([x, v]), null, null, coverage);
      const reply: OutcomeMessage = {
        index: msg.index, outcome, states: states === null ? null : [...states], schedules, coverage: coverage === null ? null : [...coverage], error: null,
      };
      port.postMessage(reply);
    } catch (e) {
      const reply: OutcomeMessage = {
        index: msg.index, outcome: { schedules: 0, cut: 0, transitions: 0, violations: [], stopped: null, rest: null }, states: null, schedules: null, coverage: null,
        error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
      };
      port.postMessage(reply);
    }
  });
}
