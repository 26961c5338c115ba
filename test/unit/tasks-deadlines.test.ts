/** Stage deadlines, the queue ETA, list cursors, and an empty segmentation refused (pure parts). */
import { describe, expect, it } from 'vitest';
import { assembleCharacter } from '../../src/engine/character.js';
import { JOINTS } from '../../src/engine/rig/skeleton.js';
import { engineDeadlineMs, stageDeadlineMs, StageWatchdog, stageTimeoutError } from '../../src/tasks/deadlines.js';
import { decodeCursor, encodeCursor, queuedEtaS, type QueueSnapshot } from '../../src/tasks/queries.js';
import { isAppError } from '../../src/domain/errors.js';

describe('stage deadlines', () => {
  const p = { stageMs: 60_000, perClipSecondMs: 20_000 };
  it('scale with the clip, and the whole run gets less than every stage at its limit', () => {
    expect(stageDeadlineMs(p, 0)).toBe(60_000);
    expect(stageDeadlineMs(p, 10)).toBe(260_000);
    expect(engineDeadlineMs(p, 10)).toBe(520_000);
    expect(engineDeadlineMs(p, 10)).toBeLessThan(5 * stageDeadlineMs(p, 10));
  });

  it('name the stage in the task reason', () => {
    const e = stageTimeoutError('render', 90_000, 6);
    expect(e.toTaskReason()).toBe("INTERNAL_ERROR: the engine's render and encode stage did not finish within 90 s (the deadline for a 6.0 s clip); it was stopped");
  });

  it('the watchdog restarts the stage clock only on a new stage, and fires once', async () => {
    const fired: string[] = [];
    const w = new StageWatchdog({ stageMs: 80, perClipSecondMs: 0 }, 1, (err) => fired.push(err.message));
    for (let i = 0; i < 5; i++) { w.enter('probe'); await new Promise((r) => setTimeout(r, 30)); }
    // 150 ms in 'start'+'probe' with one change: the probe stage passed its 80 ms
    await new Promise((r) => setTimeout(r, 100));
    w.enter('motion');
    await new Promise((r) => setTimeout(r, 120));
    w.stop();
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatch(/probe stage did not finish/);
  });
});

describe('queue ETA', () => {
  const empty: QueueSnapshot = { ahead: 0, aheadClipS: 0, unknownAhead: 0, ownClipS: 6, runningEtaS: 0, running: 0 };
  it('is the own clip at the measured rate when nothing is ahead', () => {
    expect(queuedEtaS(empty, 1.5, 1)).toBe(9);
  });
  it('adds the work ahead spread over the workers, and the running tasks when every worker is busy', () => {
    expect(queuedEtaS({ ...empty, ahead: 2, aheadClipS: 20, running: 1, runningEtaS: 5 }, 1.5, 1)).toBe(5 + 30 + 9);
    expect(queuedEtaS({ ...empty, ahead: 2, aheadClipS: 20, running: 1, runningEtaS: 5 }, 1.5, 2)).toBe(15 + 9);
    // unknown clips count as 10 s; no history: 2 s per clip second
    expect(queuedEtaS({ ...empty, ahead: 1, unknownAhead: 1, ownClipS: null }, null, 1)).toBe(20 + 20);
  });
});

describe('list cursor', () => {
  it('round-trips and refuses anything else', () => {
    const c = { submitMs: 1764000000123, id: 'AbC-_9' };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    expect(decodeCursor('not-a-cursor')).toBeNull();
    expect(decodeCursor(Buffer.from('12:id with space').toString('base64url'))).toBeNull();
  });
});

describe('empty segmentation', () => {
  it('is IMAGE_NO_PERSON_DETECTED, not a still image', () => {
    const w = 60; const h = 80;
    const image = { width: w, height: h, channels: 3 as const, data: new Uint8Array(w * h * 3).fill(128) };
    const refined = { binary: { width: w, height: h, data: new Uint8Array(w * h) }, soft: { width: w, height: h, data: new Float32Array(w * h) } };
    const joints = new Float64Array(JOINTS.length * 2).fill(30);
    let err: unknown;
    try { assembleCharacter(image, refined, joints, JOINTS.map(() => true), 'person-model', 'pose-model'); } catch (e) { err = e; }
    expect(isAppError(err) && err.reason).toBe('IMAGE_NO_PERSON_DETECTED');
    expect((err as Error).message).toMatch(/person segmentation is empty/);
  });
});
