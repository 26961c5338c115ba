import { describe, expect, it } from 'vitest';
import { bandPercent, etaFromRate, ProgressThrottle } from '../../src/tasks/progress.js';
import { allowedFrom, canTransition, interruptedReason, nextProgress, TASK_STATUSES, wireStatus } from '../../src/domain/task-status.js';

describe('task state machine', () => {
  it('moves only forward', () => {
    const allowed = TASK_STATUSES.flatMap((from) => TASK_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}>${to}`));
    expect(allowed.sort()).toEqual(['PROCESSING>FAILED', 'PROCESSING>SUCCEED', 'QUEUED>FAILED', 'QUEUED>PROCESSING', 'QUEUED>SUCCEED'].sort());
    expect(allowedFrom('FAILED')).toEqual(['QUEUED', 'PROCESSING']);
    expect(allowedFrom('QUEUED')).toEqual([]);
  });

  it('names statuses as the contract does', () => {
    expect(wireStatus('SUCCEED')).toBe('TASK_STATUS_SUCCEED');
    expect(interruptedReason(3)).toBe('INTERNAL_ERROR: processing was interrupted 3 times (the worker stopped); try again');
  });

  it('keeps progress integer, monotonic, below 100 until SUCCEED', () => {
    expect(nextProgress(40, 30.7, 'PROCESSING')).toBe(40);
    expect(nextProgress(40, 55.9, 'PROCESSING')).toBe(55);
    expect(nextProgress(98, 100, 'PROCESSING')).toBe(99);
    expect(nextProgress(98, 100, 'FAILED')).toBe(99);
    expect(nextProgress(12, 0, 'SUCCEED')).toBe(100);
  });
});

describe('progress', () => {
  it('maps stages to bands', () => {
    expect(bandPercent('fetch', 0)).toBe(0);
    expect(bandPercent('inspect', 1)).toBe(5);
    expect(bandPercent('engine', 0)).toBe(5);
    expect(bandPercent('engine', 0.5)).toBe(52);
    expect(bandPercent('engine', 1)).toBe(99);
    expect(bandPercent('engine', Number.NaN)).toBe(5);
  });

  it('estimates the ETA from the measured rate', () => {
    expect(etaFromRate(10_000, 0.25)).toBe(30);
    expect(etaFromRate(10_000, 0)).toBeUndefined();
  });

  it('throttles writes to one per interval and never lowers the value', () => {
    let t = 0;
    const p = new ProgressThrottle(0, () => t, 500);
    const writes: number[] = [];
    const readings = [5, 10, 8, 20, 20, 15, 40, 60, 55, 99, 100];
    for (const r of readings) {
      const w = p.offer(r, undefined);
      if (w) writes.push(w.percent);
      t += 200;
    }
    // 11 readings over 2.2 s: at most 5 writes, strictly increasing, capped at 99
    expect(writes.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < writes.length; i++) expect(writes[i]).toBeGreaterThan(writes[i - 1]);
    expect(p.current.percent).toBe(99);
    expect(writes).toEqual([5, 20, 40, 99]);
  });

  it('starts from the persisted progress (a resumed task does not go back)', () => {
    const p = new ProgressThrottle(47, () => 0);
    expect(p.offer(10, undefined)).toBeNull();
    expect(p.offer(50, 12)).toEqual({ percent: 50, etaS: 12 });
  });
});
