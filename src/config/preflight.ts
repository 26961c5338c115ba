/** Start-up checks: the data dir is writable, ffmpeg/ffprobe run, the model files are there. */
import { execFile } from 'node:child_process';
import { access, mkdir, rm, writeFile, constants } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Config } from './config.js';

const run = promisify(execFile);

export interface PreflightCheck { name: string; ok: boolean; detail: string }

export async function checkDataDirWritable(dataDir: string): Promise<PreflightCheck> {
  try {
    await mkdir(dataDir, { recursive: true });
    await access(dataDir, constants.W_OK);
    const probe = path.join(dataDir, `.write-check-${process.pid}`);
    await writeFile(probe, 'ok');
    await rm(probe, { force: true });
    return { name: 'data_dir', ok: true, detail: dataDir };
  } catch (err) {
    return { name: 'data_dir', ok: false, detail: `${dataDir} is not writable: ${(err as Error).message}` };
  }
}

export async function checkBinary(name: 'ffmpeg' | 'ffprobe'): Promise<PreflightCheck> {
  try {
    const { stdout } = await run(name, ['-version'], { timeout: 10_000 });
    return { name, ok: true, detail: stdout.split('\n')[0] ?? name };
  } catch (err) {
    return { name, ok: false, detail: `${name} could not be run (install ffmpeg): ${(err as Error).message}` };
  }
}

export async function checkModels(): Promise<PreflightCheck> {
  try {
    const { modelsPresent } = await import('../engine/models/index.js');
    const m = modelsPresent();
    return m.ok ? { name: 'models', ok: true, detail: 'model files present' } : { name: 'models', ok: false, detail: `model files missing: ${m.missing.join(', ')}` };
  } catch (err) {
    return { name: 'models', ok: false, detail: `model check failed: ${(err as Error).message}` };
  }
}

/** All checks, run concurrently; `needsEngine` adds the model check (worker and serve). */
export async function runPreflight(config: Config, needsEngine: boolean): Promise<PreflightCheck[]> {
  const checks = [checkDataDirWritable(config.dataDir), checkBinary('ffmpeg'), checkBinary('ffprobe')];
  if (needsEngine) checks.push(checkModels());
  return Promise.all(checks);
}
