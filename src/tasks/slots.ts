/**
 * A counted gate with first-come waiters: at most `limit` holders at once. Every wait has a deadline and
 * follows an abort signal; close() refuses the waiters and every later acquire (shutdown). Pure apart from timers.
 */

export class SlotWaitTimeoutError extends Error {
  constructor(readonly waitedMs: number) { super(`no engine slot came free within ${Math.round(waitedMs / 1000)} s`); this.name = 'SlotWaitTimeoutError'; }
}

interface Waiter { grant: () => void; fail: (err: Error) => void }

export class Slots {
  private active = 0;
  private readonly waiters: Waiter[] = [];
  private closedWith: Error | null = null;

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`slots need a limit of at least 1, got ${limit}`);
  }

  get inUse(): number { return this.active; }
  get waiting(): number { return this.waiters.length; }

  /** Resolves with the slot's release (call it once done); rejects on timeout, abort or close. */
  acquire(waitMs: number, signal?: AbortSignal): Promise<() => void> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (signal?.aborted) return Promise.reject(reasonOf(signal));
    if (this.active < this.limit) { this.active++; return Promise.resolve(this.releaser()); }
    return new Promise((resolve, reject) => {
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
      };
      const waiter: Waiter = {
        grant: () => { leave(); resolve(this.releaser()); },
        fail: (err) => { leave(); reject(err); },
      };
      const onAbort = () => waiter.fail(reasonOf(signal!));
      const timer = setTimeout(() => waiter.fail(new SlotWaitTimeoutError(waitMs)), waitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Refuses every waiter and every later acquire with `reason`; slots already held stay held until released. */
  close(reason: Error): void {
    this.closedWith = reason;
    for (const w of [...this.waiters]) w.fail(reason);
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiters[0];
      // The slot passes straight to the next waiter.
      if (next) next.grant(); else this.active--;
    };
  }
}

function reasonOf(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
