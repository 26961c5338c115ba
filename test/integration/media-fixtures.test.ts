/**
 * Every row of the shared fixtures' MANIFEST.tsv: invalid inputs get the reason their notes describe,
 * motion videos and reference images are accepted. Skipped when /work/shared/fixtures is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AppError, type ErrorReason } from '../../src/domain/errors.js';
import { readImageRgba } from '../../src/media/image-reader.js';
import { inspectImageFile, inspectVideoFile } from '../../src/media/inspect.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.resolve(repo, '../shared/fixtures');
const manifestPath = path.join(fixtures, 'MANIFEST.tsv');
const present = existsSync(manifestPath);
if (!present) console.warn(`media fixture tests skipped: ${manifestPath} not found`);

interface Row { name: string; role: string; width: string; height: string; duration_s: string; notes: string }

function rows(): Row[] {
  if (!present) return [];
  const [header, ...lines] = readFileSync(manifestPath, 'utf8').trim().split(/\r?\n/);
  const keys = header.split('\t');
  return lines.map((line) => Object.fromEntries(line.split('\t').map((v, i) => [keys[i], v])) as unknown as Row);
}

/** The reason an invalid-input row must get, from what its notes say is wrong with it. */
function expectedReason(row: Row): ErrorReason {
  const notes = row.notes;
  if (/not a video|AVI container/i.test(notes)) return 'INVALID_VIDEO_FORMAT';
  if (/\(<300 px\)/.test(notes)) return 'INVALID_VIDEO_SIZE';
  if (/\(>30 s\)|\(<3 s\)/.test(notes)) return 'INVALID_VIDEO_DURATION';
  throw new Error(`no expected reason known for ${row.name}: ${notes}`);
}

const all = rows();

describe.skipIf(!present)('shared fixtures', () => {
  it('the manifest has rows of each role this suite checks', () => {
    for (const role of ['invalid-input', 'motion-video', 'reference-image']) expect(all.some((r) => r.role === role)).toBe(true);
  });

  it.each(all.filter((r) => r.role === 'invalid-input').map((r) => [r.name, r] as const))('%s is refused with the reason its notes describe', async (_name, row) => {
    const err = await inspectVideoFile(path.join(fixtures, row.name), 'video').then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).reason).toBe(expectedReason(row));
    expect((err as AppError).metadata?.field).toBe('video');
  });

  it.each(all.filter((r) => r.role === 'motion-video').map((r) => [r.name, r] as const))('%s is accepted as it is described', async (_name, row) => {
    const seconds = Number(row.duration_s);
    const info = await inspectVideoFile(path.join(fixtures, row.name), seconds <= 10.05 ? 'image' : 'video');
    expect([info.width, info.height]).toEqual([Number(row.width), Number(row.height)]);
    expect(info.durationS).toBeCloseTo(seconds, 1);
  });

  it.each(all.filter((r) => r.role === 'reference-image').map((r) => [r.name, r] as const))('%s is accepted and decodes at its size', async (_name, row) => {
    const info = await inspectImageFile(path.join(fixtures, row.name));
    // The manifest gives the stored size; EXIF orientations 5-8 display it turned a quarter.
    const turned = /EXIF orientation [5-8]/.test(row.notes);
    const stored = [Number(row.width), Number(row.height)];
    expect([info.width, info.height]).toEqual(turned ? stored.reverse() : stored);
    if (/JPEG data despite \.png/.test(row.notes)) expect(info.format).toBe('jpeg');
    if (/alpha/i.test(row.notes)) expect(info.hasAlpha).toBe(true);
    const img = await readImageRgba(path.join(fixtures, row.name));
    expect(img.data.length).toBe(info.width * info.height * 4);
  });
});
