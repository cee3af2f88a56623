/**
 * Messages between the main thread and its CPU workers, and the job signature.
 * Jobs are named exports of a module every worker imports; they run
 * synchronously on the worker's CPU, so a job's timing is the CPU's own.
 */
import type { Machine } from '../machine.js';
import type { PerCpuPtr } from '../percpu-ptr.js';
import type { PtrDescriptor, SharedMachineInit } from './attach.js';

/** What a job gets besides the machine: its CPU and the pointers and buffers shared with it. */
export interface CpuEnv {
  readonly cpu: number;
  /** Every static per-CPU variable by name, plus the dynamic pointers handed to the threads. */
  readonly ptrs: Readonly<Record<string, PerCpuPtr<unknown>>>;
  readonly shared: Readonly<Record<string, SharedArrayBuffer>>;
}

/** A job: runs on one CPU thread; its result must be structured-clonable. */
export type CpuJob<A = unknown, R = unknown> = (m: Machine, env: CpuEnv, args: A) => R;

export interface WorkerInit {
  readonly machine: SharedMachineInit;
  readonly cpu: number;
  /** file: URLs of the modules whose exports are the jobs. */
  readonly jobs: readonly string[];
  readonly ptrs: Readonly<Record<string, PtrDescriptor>>;
  readonly shared: Readonly<Record<string, SharedArrayBuffer>>;
  /** Int32Array words of the start barrier (see barrier.ts). */
  readonly control: SharedArrayBuffer;
}

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

export type ToWorker =
  | { readonly type: 'run'; readonly seq: number; readonly job: string; readonly args: unknown; readonly parties: number }
  | { readonly type: 'exit' };

export type FromWorker =
  | { readonly type: 'ready'; readonly cpu: number; readonly gs: number }
  | { readonly type: 'fatal'; readonly error: SerializedError }
  | { readonly type: 'done'; readonly seq: number; readonly value: unknown; readonly ns: number }
  | { readonly type: 'failed'; readonly seq: number; readonly error: SerializedError };

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}
