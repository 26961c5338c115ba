/** Worker thread entry (runs compiled, from dist/): loads the models once, then serves requests in order. */
import { parentPort } from 'node:worker_threads';
import { loadPoseModels, type PoseModels } from './inference.js';
import type { WorkerReply, WorkerRequest } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('pose worker must run in a worker thread');

function reply(msg: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(msg, transfer);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 2000) : String(err).slice(0, 2000);
}

// A stray exception (outside a request) leaves this thread in an unknown state: say why briefly (instead of the
// wasm runtime printing its source), then end the thread; the pool fails its pending requests on exit.
process.on('uncaughtException', (err) => {
  reply({ kind: 'crashed', message: messageOf(err) });
  process.exit(1);
});

function serve(models: PoseModels, req: WorkerRequest): void {
  try {
    switch (req.kind) {
      case 'detect':
        reply({ id: req.id, kind: 'pose', pose: models.detect(req.frame, req.crop, req.model) });
        break;
      case 'detect-landmarks': {
        const { pose, landmarks } = models.detectWithLandmarks(req.frame, req.crop, req.model);
        reply({ id: req.id, kind: 'pose-landmarks', pose, landmarks });
        break;
      }
      case 'segment': {
        const mask = models.segment(req.image);
        reply({ id: req.id, kind: 'mask', mask }, [mask.data.buffer as ArrayBuffer]);
        break;
      }
    }
  } catch (err) {
    reply({ id: req.id, kind: 'error', message: messageOf(err) });
  }
}

loadPoseModels().then(
  (models) => {
    port.on('message', (req: WorkerRequest) => serve(models, req));
    reply({ kind: 'ready' });
  },
  (err: unknown) => reply({ kind: 'init-error', message: messageOf(err) }),
);
