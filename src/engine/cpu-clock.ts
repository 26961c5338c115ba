/**
 * CPU seconds, for the engine's per-stage figures (never for decisions). Linux /proc gives the
 * calling thread's own time and the time of reaped child processes (ffmpeg); elsewhere the process
 * total stands in for the thread and children count 0.
 */
import { readFileSync } from 'node:fs';

/** utime, stime, cutime, cstime (clock ticks) of a /proc stat line: fields 14–17. */
function statTimes(path: string): number[] | null {
  try {
    const text = readFileSync(path, 'utf8');
    // The command name (field 2) may hold spaces: split after its closing parenthesis.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return [Number(f[11]), Number(f[12]), Number(f[13]), Number(f[14])];
  } catch {
    return null;
  }
}

/** USER_HZ is 100 on every Linux ABI Node supports. */
const TICK_S = 0.01;

/** CPU seconds the calling thread (main or worker) has used. */
export function threadCpuSeconds(): number {
  const t = statTimes('/proc/thread-self/stat');
  if (t) return (t[0] + t[1]) * TICK_S;
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** CPU seconds of the whole process (all threads) and of its child processes that have ended. */
export function processCpuSeconds(): { self: number; children: number } {
  const t = statTimes('/proc/self/stat');
  if (t) return { self: (t[0] + t[1]) * TICK_S, children: (t[2] + t[3]) * TICK_S };
  const u = process.cpuUsage();
  return { self: (u.user + u.system) / 1e6, children: 0 };
}
