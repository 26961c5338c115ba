/** TensorFlow.js on the wasm backend, initialised once per thread, and graph models loaded from disk. */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { diskIOHandler } from './io-handler.js';
import { modelPath, type ModelName } from './paths.js';

type Tf = typeof import('@tensorflow/tfjs-core');

let ready: Promise<Tf> | null = null;

async function init(): Promise<Tf> {
  const before = new Set(process.listeners('uncaughtException'));
  const beforeRejection = new Set(process.listeners('unhandledRejection'));
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const dir = path.join(dist, 'dist');
  wasm.setWasmPaths({
    'tfjs-backend-wasm.wasm': path.join(dir, 'tfjs-backend-wasm.wasm'),
    'tfjs-backend-wasm-simd.wasm': path.join(dir, 'tfjs-backend-wasm-simd.wasm'),
    'tfjs-backend-wasm-threaded-simd.wasm': path.join(dir, 'tfjs-backend-wasm-threaded-simd.wasm'),
  });
  if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs wasm backend failed to initialise');
  await tf.ready();
  // Skips tfjs's per-op checks (about 7% of a MoveNet call here); the numbers are the same.
  tf.enableProdMode();
  // The emscripten runtime installs handlers that print its whole minified source on any crash.
  for (const l of process.listeners('uncaughtException')) if (!before.has(l)) process.removeListener('uncaughtException', l);
  for (const l of process.listeners('unhandledRejection')) if (!beforeRejection.has(l)) process.removeListener('unhandledRejection', l);
  return tf;
}

/** The wasm backend, ready; initialised once per thread. */
export function initTf(): Promise<Tf> {
  ready ??= init().catch((err: unknown) => {
    ready = null;
    throw err;
  });
  return ready;
}

export async function loadModel(name: ModelName): Promise<GraphModel> {
  await initTf();
  const { loadGraphModel } = await import('@tensorflow/tfjs-converter');
  return loadGraphModel(diskIOHandler(modelPath(name)));
}
