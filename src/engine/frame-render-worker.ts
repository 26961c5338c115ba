/** Worker thread entry (runs compiled, from dist/): renders output frames of the scene it was given. */
import { parentPort } from 'node:worker_threads';
import { renderFrame } from './frame-renderer.js';
import { warmUpRasteriser } from './render/raster.js';
import type { FromRenderWorker, RenderScene, ToRenderWorker } from './frame-render-pool.js';

const port = parentPort;
if (!port) throw new Error('the render worker must run in a worker thread');

let scene: RenderScene | null = null;
let posed: Float32Array | null = null;

const reply = (msg: FromRenderWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(msg, transfer);

port.on('message', (msg: ToRenderWorker) => {
  switch (msg.kind) {
    case 'scene':
      scene = msg.scene;
      posed = new Float32Array(scene.character.rig.rest.length);
      return;
    case 'frame':
      try {
        if (!scene || !posed) throw new Error('no scene loaded');
        const frame = renderFrame(scene.character, scene.plan, msg.t, scene.plate, posed, scene.stillRing);
        reply({ kind: 'frame', id: msg.id, frame }, [frame.buffer as ArrayBuffer]);
      } catch (err) {
        reply({ kind: 'error', id: msg.id, message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
      }
      return;
  }
});
warmUpRasteriser();
reply({ kind: 'ready' });
