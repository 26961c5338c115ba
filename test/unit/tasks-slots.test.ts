/** Slots: at most `limit` holders, first come first served, every wait bounded, abort and close refuse waiters. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Slots, SlotWaitTimeoutError } from '../../src/tasks/slots.js';

describe('Slots', () => {
  afterEach(() => { vi.useRealTimers(); });

  it('admits up to the limit and passes a released slot to the first waiter', async () => {
    const slots = new Slots(1);
    const first = await slots.acquire(1000);
    const order: string[] = [];
    const second = slots.acquire(1000).then((r) => { order.push('second'); return r; });
    const third = slots.acquire(1000).then((r) => { order.push('third'); return r; });
    expect(slots.inUse).toBe(1);
    expect(slots.waiting).toBe(2);
    first();
    first(); // a second release of one slot changes nothing
    (await second)();
    (await third)();
    expect(order).toEqual(['second', 'third']);
    expect(slots.inUse).toBe(0);
  });

  it('a wait past its deadline is refused, and the waiter leaves the line', async () => {
    vi.useFakeTimers();
    const slots = new Slots(1);
    await slots.acquire(1000);
    const waiting = slots.acquire(5000);
    const check = expect(waiting).rejects.toBeInstanceOf(SlotWaitTimeoutError);
    await vi.advanceTimersByTimeAsync(5000);
    await check;
    expect(slots.waiting).toBe(0);
  });

  it('an abort or close refuses waiters with their reason; a closed gate refuses new comers', async () => {
    const slots = new Slots(1);
    const held = await slots.acquire(1000);
    const abort = new AbortController();
    const aborted = slots.acquire(60_000, abort.signal);
    abort.abort(new Error('lease lost'));
    await expect(aborted).rejects.toThrow('lease lost');
    const closing = slots.acquire(60_000);
    slots.close(new Error('shutting down'));
    await expect(closing).rejects.toThrow('shutting down');
    await expect(slots.acquire(1)).rejects.toThrow('shutting down');
    held();
    expect(slots.inUse).toBe(0);
  });
});
