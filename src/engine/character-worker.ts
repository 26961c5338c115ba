/** Worker thread entry (runs compiled, from dist/): one character analysis, its model calls sent back to the main thread's pool. */
import { parentPort } from 'node:worker_threads';
import { analyzeCharacter } from './character.js';
import { largeBuffers, type FromCharacterWorker, type PoolCall, type ToCharacterWorker } from './character-thread.js';
import { serializeError } from './child-protocol.js';
import { threadCpuSeconds } from './cpu-clock.js';
import type { PoseWorkerPool, PoseWithLandmarks } from './pose/pool.js';
import type { Pose, SoftMask } from './types.js';

const port = parentPort;
if (!port) throw new Error('the character worker must run in a worker thread');

const send = (msg: FromCharacterWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(msg, transfer);

const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
let nextId = 1;

function call<T>(c: PoolCall): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    send({ kind: 'pool', id, ...c });
  });
}

/** The main thread's pose pool, reached by messages (its deadlines apply there). */
function remotePool(threads: number): PoseWorkerPool {
  return {
    threads,
    detect: (frame, crop, model) => call<Pose>({ op: 'detect', frame, crop, model }),
    detectWithLandmarks: () => Promise.reject<PoseWithLandmarks>(new Error('landmarks are not used by the character analysis')),
    segment: (image) => call<SoftMask>({ op: 'segment', image }),
    close: () => Promise.resolve(),
  };
}

port.on('message', (msg: ToCharacterWorker) => {
  switch (msg.kind) {
    case 'pool-reply': {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result); else p.reject(new Error(msg.message));
      return;
    }
    case 'analyze': {
      const cpu0 = threadCpuSeconds();
      analyzeCharacter(msg.image, remotePool(msg.threads), msg.source).then(
        (character) => send({ kind: 'done', character, cpuS: threadCpuSeconds() - cpu0 }, largeBuffers(character)),
        (err: unknown) => send({ kind: 'failed', error: serializeError(err) }),
      );
      return;
    }
  }
});
