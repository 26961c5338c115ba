import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadArtifactsFromDisk, diskIOHandler } from '../../src/engine/models/io-handler.js';
import { MODEL_NAMES, modelPath, modelsPresent, REQUIRED_MODELS } from '../../src/engine/models/paths.js';

interface Spec { shape: number[]; dtype: string; quantization?: { dtype: string } }
const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Bytes a weight takes in the .bin according to its manifest entry. */
function specBytes(s: Spec): number {
  const n = s.shape.reduce((a, b) => a * b, 1);
  return n * BYTES[s.quantization?.dtype ?? s.dtype];
}

describe('model files', () => {
  it('names every model file under the models package and finds the required ones', () => {
    for (const name of MODEL_NAMES) expect(modelPath(name)).toMatch(new RegExp(`/models/${name}\\.json$`));
    const present = modelsPresent();
    expect(present).toEqual({ ok: true, missing: [] });
    expect(REQUIRED_MODELS).toContain('movenet-lightning');
  });

  for (const name of ['movenet-lightning', 'movenet-thunder', 'selfie'] as const) {
    it(`loads ${name} artifacts whose weight bytes match the manifest and the .bin size`, async () => {
      const json = modelPath(name);
      const art = await loadArtifactsFromDisk(json);
      const specs = art.weightSpecs as Spec[];
      expect(specs.length).toBeGreaterThan(10);
      const bytes = (art.weightData as ArrayBuffer).byteLength;
      expect(bytes).toBe(specs.reduce((n, s) => n + specBytes(s), 0));
      const manifest = (JSON.parse(readFileSync(json, 'utf8')) as { weightsManifest: { paths: string[] }[] }).weightsManifest;
      const onDisk = manifest.flatMap((g) => g.paths).reduce((n, p) => n + statSync(path.join(path.dirname(json), p)).size, 0);
      expect(bytes).toBe(onDisk);
      expect(art.modelTopology).toBeTypeOf('object');
      expect(art.format).toBe('graph-model');
    });
  }
});

describe('disk IOHandler', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'models-io-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('concatenates several weight files in manifest order', async () => {
    writeFileSync(path.join(dir, 'a.bin'), Buffer.from([1, 2, 3, 4]));
    writeFileSync(path.join(dir, 'b.bin'), Buffer.from([5, 6, 7, 8, 9, 10, 11, 12]));
    const json = path.join(dir, 'm.json');
    writeFileSync(json, JSON.stringify({
      format: 'graph-model', modelTopology: { node: [] },
      weightsManifest: [
        { paths: ['a.bin'], weights: [{ name: 'w1', shape: [1], dtype: 'float32' }] },
        { paths: ['b.bin'], weights: [{ name: 'w2', shape: [2], dtype: 'float32' }] },
      ],
    }));
    const handler = diskIOHandler(json);
    if (!handler.load) throw new Error('the handler cannot load');
    const art = await handler.load();
    expect(Array.from(new Uint8Array(art.weightData as ArrayBuffer))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(art.weightSpecs?.map((w) => w.name)).toEqual(['w1', 'w2']);
  });

  it('rejects a json that is not a graph model', async () => {
    const json = path.join(dir, 'bad.json');
    writeFileSync(json, JSON.stringify({ hello: 1 }));
    await expect(loadArtifactsFromDisk(json)).rejects.toThrow(/not a tfjs graph model/);
  });
});
