/**
 * tfjs `loadGraphModel('file://…')` needs the Node bindings; this IOHandler reads model.json and its
 * weight files from disk instead.
 */
import { readFile } from 'node:fs/promises';
import type { io } from '@tensorflow/tfjs-core';
import { weightPaths } from './paths.js';

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: io.WeightsManifestEntry[] }[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  signature?: object;
  userDefinedMetadata?: Record<string, object>;
  modelInitializer?: object;
}

export async function loadArtifactsFromDisk(jsonPath: string): Promise<io.ModelArtifacts> {
  const json = JSON.parse(await readFile(jsonPath, 'utf8')) as ModelJson;
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new Error(`${jsonPath} is not a tfjs graph model (no modelTopology/weightsManifest)`);
  }
  const buffers = await Promise.all(weightPaths(jsonPath, json.weightsManifest).map((p) => readFile(p)));
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const weightData = new Uint8Array(total);
  let at = 0;
  for (const b of buffers) {
    weightData.set(b, at);
    at += b.byteLength;
  }
  return {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: weightData.buffer,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    signature: json.signature,
    userDefinedMetadata: json.userDefinedMetadata,
    modelInitializer: json.modelInitializer,
  };
}

export function diskIOHandler(jsonPath: string): io.IOHandler {
  return { load: () => loadArtifactsFromDisk(jsonPath) };
}
