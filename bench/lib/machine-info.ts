/** Names the machine a report was measured on. */
import { readFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, loadavg, platform, totalmem } from 'node:os';
import type { MachineInfo } from './report.js';

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => /^model name\s*:/.test(l));
    if (line !== undefined) return line.replace(/^model name\s*:\s*/, '').trim();
  } catch {
    // Not Linux: fall back to what Node reports.
  }
  return cpus()[0]?.model?.trim() || 'unknown CPU';
}

export function machineInfo(): MachineInfo {
  return {
    cpuModel: cpuModel(),
    cores: availableParallelism(),
    node: process.version,
    v8: process.versions.v8,
    platform: platform(),
    arch: arch(),
    totalMemoryBytes: totalmem(),
    loadAverage1m: loadavg()[0],
  };
}
