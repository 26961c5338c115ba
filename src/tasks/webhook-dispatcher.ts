/**
 * Delivers webhook outbox rows: POST the task-result body signed the Standard Webhooks way, only to safe
 * addresses, 5 s timeout; non-2xx or timeout → retry with exponential backoff, durably (next attempt in the DB).
 */
import http from 'node:http';
import https from 'node:https';
import type { ReadyConfig } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import { pinnedSafeLookup } from '../net/ssrf-guard.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { resultUrlSigner, signedTaskResultBody } from '../storage/result-url.js';
import type { TaskStore, WebhookDelivery, WebhookOutbox } from './types.js';
import { nextRetryDelayMs, WEBHOOK_TIMEOUT_MS, webhookBody, webhookHeaders } from './webhook.js';

export interface PostResult { status: number }
export type WebhookPoster = (url: string, headers: Record<string, string>, body: string, timeoutMs: number) => Promise<PostResult>;

/**
 * POST through node:http(s) to an address checked first (IP literals included: Node skips `lookup` for
 * those), connecting exactly there; private addresses only for hosts in allowHosts.
 */
export function safePoster(allowHosts: readonly string[]): WebhookPoster {
  return async (url, headers, body, timeoutMs) => {
    const u = new URL(url);
    const lookup = await pinnedSafeLookup(u.hostname, allowHosts, 'extra.webhook.url');
    return new Promise((resolve, reject) => {
      const mod = u.protocol === 'https:' ? https : http;
      const req = mod.request(u, {
        method: 'POST', lookup, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'marionette-webhook' },
        timeout: timeoutMs,
      }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.on('error', reject);
      });
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      req.on('close', () => clearTimeout(timer));
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  };
}

export interface DispatcherDeps {
  config: ReadyConfig;
  outbox: WebhookOutbox;
  tasks: TaskStore;
  /** Signs result URLs (presigned by S3, or the API's HMAC URLs). */
  storage: ObjectStorage;
  logger: Logger;
  now?: () => number;
  post?: WebhookPoster;
  /** First retry delay; doubles each time. */
  baseDelayMs?: number;
  pollIntervalMs?: number;
}

/** A claimed row is not handed out again for this long (covers a dispatcher dying mid-delivery). */
const CLAIM_LEASE_MS = 60_000;

export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<number> | null = null;
  private readonly now: () => number;
  private readonly post: WebhookPoster;
  private readonly signer: ReturnType<typeof resultUrlSigner>;

  constructor(private readonly d: DispatcherDeps) {
    this.now = d.now ?? Date.now;
    this.post = d.post ?? safePoster(d.config.allowHosts);
    this.signer = resultUrlSigner(d.storage, d.config, this.now);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => { void this.tick(); }, this.d.pollIntervalMs ?? 1000);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
  }

  /**
   * Stops polling, then delivers what is due one last time, within `deadlineMs`: a task that ended during the
   * shutdown grace gets its webhook before the process exits.
   */
  async flush(deadlineMs: number): Promise<void> {
    await this.stop();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.tick(), new Promise((resolve) => { timer = setTimeout(resolve, deadlineMs); })]);
    clearTimeout(timer);
  }

  /** Delivers whatever is due; resolves with how many were tried. One tick at a time. */
  tick(): Promise<number> {
    if (this.ticking) return this.ticking;
    this.ticking = this.deliverDue().finally(() => { this.ticking = null; });
    return this.ticking;
  }

  private async deliverDue(): Promise<number> {
    let due: WebhookDelivery[];
    try {
      due = await this.d.outbox.claimDue(this.now(), CLAIM_LEASE_MS, 20);
    } catch (err) {
      this.d.logger.error({ err }, 'reading the webhook outbox failed');
      return 0;
    }
    await Promise.all(due.map((x) => this.deliver(x)));
    return due.length;
  }

  private async deliver(x: WebhookDelivery): Promise<void> {
    const c = this.d.config;
    const log = this.d.logger.child({ taskId: x.taskId, webhookId: x.id });
    let error: string;
    try {
      const task = await this.d.tasks.getTaskStatus(x.taskId);
      if (!task) { await this.d.outbox.markFailed(x.id, 'task no longer exists', null); return; }
      // Built at delivery time, so a late retry still carries a working video URL.
      const body = webhookBody(await signedTaskResultBody(task, this.signer, c.videoUrlTtlS));
      const headers = webhookHeaders(c.webhookSecret, x.id, Math.floor(this.now() / 1000), body);
      const { status } = await this.post(x.url, headers, body, WEBHOOK_TIMEOUT_MS);
      if (status >= 200 && status < 300) {
        await this.d.outbox.markDelivered(x.id, this.now());
        log.info({ status, tries: x.attempts + 1 }, 'webhook delivered');
        return;
      }
      error = `receiver answered HTTP ${status}`;
    } catch (err) {
      error = (err as Error).message;
    }
    const tries = x.attempts + 1;
    const delay = nextRetryDelayMs(tries, this.d.baseDelayMs ?? 5000);
    await this.d.outbox.markFailed(x.id, error, delay === null ? null : this.now() + delay).catch((err: unknown) => log.error({ err }, 'outbox write failed'));
    if (delay === null) log.warn({ tries, error }, 'webhook given up');
    else log.info({ tries, error, retryInMs: delay }, 'webhook failed; will retry');
  }
}
