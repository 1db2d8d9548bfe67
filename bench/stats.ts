// Latency summaries and the process figures printed beside them.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles (no interpolation: every figure is a latency that really happened). */
export function summarise(values: number[]): Summary {
  const xs = [...values].sort((a, b) => a - b);
  const at = (p: number) => (xs.length === 0 ? NaN : xs[Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1))]!);
  return { n: xs.length, min: xs.length === 0 ? NaN : xs[0]!, p50: at(50), p90: at(90), p99: at(99), max: at(100) };
}

export const median = (values: number[]) => summarise(values).p50;

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100; // the Linux default; only used to scale another process's CPU time
    }
  }
  return ticksPerSecond;
}

/** CPU seconds a child process (the dev server) has used so far; undefined where /proc is not available. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th of them.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return undefined;
  }
}

/** Resident set size of another process in MiB, from /proc. */
export function processRssMiB(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export const mib = (bytes: number) => bytes / 1024 / 1024;

/** A process's memory after a full collection (MiB), and the Temporal dev server's RSS beside it. */
export interface Memory {
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
  temporalRssMiB?: number;
}
