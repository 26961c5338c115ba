export { initTf, loadModel } from './tf.js';
export { modelPath, modelsPresent, MODEL_NAMES, REQUIRED_MODELS, type ModelName } from './paths.js';
export { diskIOHandler, loadArtifactsFromDisk } from './io-handler.js';
