/** Runs the pipeline in this process (its pose models in worker threads). Used by the CLI and the engine child. */
import { createPoseWorkerPool, type PoseWorkerPool } from './pose/pool.js';
import { runPipeline } from './pipeline.js';
import type { AnimateRequest, AnimateResult, EngineProgress, MotionEngine } from './types.js';

export class InProcessEngine implements MotionEngine {
  private pool: Promise<PoseWorkerPool> | null = null;

  constructor(private readonly threads: number) {}

  private getPool(): Promise<PoseWorkerPool> {
    this.pool ??= createPoseWorkerPool({ threads: this.threads });
    return this.pool;
  }

  async ready(): Promise<void> {
    await this.getPool();
  }

  async animate(req: AnimateRequest, onProgress: (p: EngineProgress) => void, signal?: AbortSignal): Promise<AnimateResult> {
    const pool = await this.getPool();
    return runPipeline(req, { pool, onProgress, signal });
  }

  async close(): Promise<void> {
    if (this.pool) await (await this.pool).close();
    this.pool = null;
  }
}
