/** The shared fixtures beside the checkout (../shared/fixtures), read from MANIFEST.tsv. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function fixturesDir(): string | null {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/fixtures');
  return existsSync(path.join(dir, 'MANIFEST.tsv')) ? dir : null;
}

interface Row { name: string; role: string; durationS: number }

function manifest(): Row[] {
  const dir = fixturesDir();
  if (!dir) return [];
  const lines = readFileSync(path.join(dir, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
  const head = lines[0].split('\t');
  return lines.slice(1).map((l) => {
    const c = l.split('\t');
    const get = (k: string) => c[head.indexOf(k)];
    return { name: get('name'), role: get('role'), durationS: Number(get('duration_s')) };
  });
}

export async function referenceImages(): Promise<string[]> {
  return manifest().filter((r) => r.role === 'reference-image').map((r) => r.name);
}

export function motionVideos(): Row[] {
  return manifest().filter((r) => r.role === 'motion-video');
}
