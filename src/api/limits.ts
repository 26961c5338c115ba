/**
 * Per-key request rate (a token bucket per API key, in this process) and a bound on creates decoded at once.
 * Both are pure apart from the injected clock and timers.
 */
import { AppError } from '../domain/errors.js';

export class RateLimitError extends AppError {
  constructor(message: string, readonly retryAfterS: number, metadata: { limit: number; unit: string }) {
    super('RATE_LIMIT_EXCEEDED', message, { field: 'authorization', ...metadata });
  }
}

interface Bucket { tokens: number; atMs: number }

const MAX_BUCKETS = 10_000;

/** `perMinute` requests a minute per key, bursts up to the same number. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly perMinute: number, private readonly now: () => number = Date.now) {}

  /** Takes one request from `key`'s allowance, or throws RateLimitError saying when to come back. */
  take(key: string): void {
    const t = this.now();
    const ratePerMs = this.perMinute / 60_000;
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= MAX_BUCKETS) this.buckets.clear();
      b = { tokens: this.perMinute, atMs: t };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.perMinute, b.tokens + (t - b.atMs) * ratePerMs);
    b.atMs = t;
    if (b.tokens >= 1) { b.tokens -= 1; return; }
    const retryAfterS = Math.max(1, Math.ceil((1 - b.tokens) / ratePerMs / 1000));
    throw new RateLimitError(`this API key sent more than ${this.perMinute} requests in a minute; retry in ${retryAfterS} s`, retryAfterS,
      { limit: this.perMinute, unit: 'requests per minute' });
  }
}

/** At most `limit` holders at once; waiters beyond `maxWaiting`, or waiting longer than `waitMs`, are refused. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number, private readonly maxWaiting: number, private readonly waitMs: number) {}

  async acquire(): Promise<() => void> {
    if (this.active < this.limit) { this.active++; return this.releaser(); }
    if (this.waiting.length >= this.maxWaiting) throw this.busy();
    await new Promise<void>((resolve, reject) => {
      const wake = () => { clearTimeout(timer); resolve(); };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(wake);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(this.busy());
      }, this.waitMs);
      this.waiting.push(wake);
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter.
      if (next) next(); else this.active--;
    };
  }

  private busy(): RateLimitError {
    return new RateLimitError(`the service is accepting ${this.limit} uploads at once and more are waiting; retry shortly`, 2,
      { limit: this.limit, unit: 'concurrent creates' });
  }
}
