/** Stub for sensor.c: read_sensor(cpu), as the C declares it (int → number). */
import type { Machine } from '../../../src/machine.js';

export function read_sensor(m: Machine, cpu: number): number {
  return 100 * (cpu + 1) + m.nrCpus;
}
