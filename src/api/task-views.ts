/** The task-result body as the routes send it: a QUEUED task also gets its queue position and an ETA from it. */
import { signedTaskResultBody, type ResultUrlSigner } from '../storage/result-url.js';
import { queuedEtaS, type TaskQueries } from '../tasks/queries.js';
import type { TaskResultBody } from '../tasks/result-view.js';
import type { TaskStatusView } from '../tasks/types.js';

/** The measured rate changes slowly; it is read at most this often. */
const RATE_CACHE_MS = 10_000;

export class TaskViews {
  private rate: { value: number | null; atMs: number } | null = null;

  constructor(
    private readonly queries: TaskQueries,
    private readonly videoUrl: ResultUrlSigner,
    private readonly videoUrlTtlS: number,
    private readonly workers: number,
    private readonly now: () => number,
  ) {}

  async body(view: TaskStatusView): Promise<TaskResultBody> {
    const body = await signedTaskResultBody(view, this.videoUrl, this.videoUrlTtlS);
    if (view.status !== 'QUEUED') return body;
    const snapshot = await this.queries.queueSnapshot(view.id);
    if (!snapshot) return body;
    body.task.eta = queuedEtaS(snapshot, await this.secondsPerClipSecond(), this.workers);
    body.extra.queue_position = snapshot.ahead;
    return body;
  }

  private async secondsPerClipSecond(): Promise<number | null> {
    if (!this.rate || this.now() - this.rate.atMs > RATE_CACHE_MS) {
      this.rate = { value: await this.queries.secondsPerClipSecond(), atMs: this.now() };
    }
    return this.rate.value;
  }
}
