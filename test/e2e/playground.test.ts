/**
 * The playground in a real browser (Debian's Chromium via playwright-core) against the real app: SQLite
 * store, local storage, the task worker, and an engine double that makes a real H.264 result with ffmpeg
 * (lavfi test media has no person for the CPU engine to follow). Screenshots go to test-artifacts/.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import type { AnimateRequest, AnimateResult, EngineProgress, MotionEngine } from '../../src/engine/types.js';
import { startService, type Service } from '../helpers/service-harness.js';

const run = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ARTIFACTS = path.join(REPO, 'test-artifacts');
const haveChromium = existsSync(CHROMIUM);
/** For page changes that follow a local step (a decode, a metadata read): generous on a loaded CI box. */
const SOON = { timeout: 10_000 };
if (!haveChromium) console.warn(`playground browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

async function ffmpeg(args: string[]): Promise<void> {
  await run('ffmpeg', ['-v', 'error', '-y', ...args]);
}

async function durationOf(file: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
  return Number(stdout.trim());
}

const NO_PERSON = 'no person is visible in the video; use one where a person is seen from head to knees';

/**
 * Stands in for the CPU engine: the driving video with the picture inset, same length, H.264 yuv420p.
 * The prompt "no person" makes it fail the way the real engine does on an empty video.
 */
class InsetEngine implements MotionEngine {
  async ready(): Promise<void> {}
  async close(): Promise<void> {}
  async animate(req: AnimateRequest, onProgress: (p: EngineProgress) => void, signal?: AbortSignal): Promise<AnimateResult> {
    for (const [i, stage] of (['probe', 'character', 'motion', 'retarget'] as const).entries()) {
      onProgress({ stage, fraction: i * 0.2, etaSeconds: (4 - i) * 0.4 });
      await new Promise((r) => setTimeout(r, 400));
      signal?.throwIfAborted();
    }
    if (req.prompt === 'no person') throw new AppError('VIDEO_NO_PERSON_DETECTED', NO_PERSON, { field: 'video' });
    onProgress({ stage: 'render', fraction: 0.85, etaSeconds: 1 });
    await ffmpeg(['-i', req.videoPath, '-i', req.imagePath, '-filter_complex', '[1:v]scale=120:-2[c];[0:v][c]overlay=8:8,format=yuv420p[v]',
      '-map', '[v]', ...(req.keepOriginalSound ? ['-map', '0:a?', '-c:a', 'aac'] : ['-an']),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-movflags', '+faststart', req.outputPath]);
    const durationS = await durationOf(req.outputPath);
    return { outputPath: req.outputPath, width: 480, height: 640, fps: 25, frameCount: Math.round(durationS * 25), durationS, hasAudio: req.keepOriginalSound, timings: {} };
  }
}

describe.skipIf(!haveChromium)('the playground in Chromium', () => {
  let tmp: string;
  let base: string;
  let KEY: string;
  let service: Service;
  let browser: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];
  const media = { image: '', video: '', smallImage: '', shortVideo: '' };

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'playground-e2e-'));
    await mkdir(ARTIFACTS, { recursive: true });
    Object.assign(media, {
      image: path.join(tmp, 'character.png'), video: path.join(tmp, 'motion.mp4'),
      smallImage: path.join(tmp, 'small.png'), shortVideo: path.join(tmp, 'short.mp4'),
    });
    await Promise.all([
      ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=400x600', '-frames:v', '1', media.image]),
      ffmpeg(['-f', 'lavfi', '-i', 'color=c=tomato:size=200x200', '-frames:v', '1', media.smallImage]),
      ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=480x640:rate=25:duration=3.5', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3.5',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-movflags', '+faststart', media.video]),
      ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=480x640:rate=25:duration=1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', media.shortVideo]),
    ]);

    // The page's origin is the service's public URL, so result URLs are same-origin (thumbnails need that).
    service = await startService({ engine: new InsetEngine() });
    base = service.config.publicUrl;
    KEY = service.apiKey;

    browser = await chromium.launchPersistentContext(path.join(tmp, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1280, height: 900 },
    });
    page = browser.pages()[0] ?? await browser.newPage();
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
  });

  afterAll(async () => {
    await browser?.close();
    await service?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  /** What the API itself answers for these files, to compare with the page's words. */
  async function apiMessage(image: string, video: string): Promise<{ message: string; field: string }> {
    const b64 = async (f: string) => (await readFile(f)).toString('base64');
    const res = await fetch(`${service.baseUrl}/v3/async/kling-v2.6-pro-motion-control`, {
      method: 'POST', headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ image: `data:image/png;base64,${await b64(image)}`, video: `data:video/mp4;base64,${await b64(video)}`, character_orientation: 'video' }),
    });
    expect(res.status).toBe(400);
    const body = await res.json() as { message: string; metadata: { field: string } };
    return { message: body.message, field: body.metadata.field };
  }

  const errorText = (field: string) => page.locator(`#${field}-error`).textContent();

  it('refuses bad inputs before upload, in the API\'s own words, next to their field', async () => {
    await page.goto(base);
    await page.fill('#api-key', KEY);
    await page.setInputFiles('#image-input', media.smallImage);
    await expect.poll(() => errorText('image'), SOON).not.toBe('');
    const image = await apiMessage(media.smallImage, media.video);
    expect(image.field).toBe('image');
    expect(await errorText('image')).toBe(image.message);
    expect(await page.getAttribute('#image-input', 'aria-invalid')).toBe('true');

    await page.setInputFiles('#image-input', media.image);
    await page.setInputFiles('#video-input', media.shortVideo);
    await expect.poll(() => errorText('video'), SOON).not.toBe('');
    const video = await apiMessage(media.image, media.shortVideo);
    expect(video.field).toBe('video');
    expect(await errorText('video')).toBe(video.message);
    await expect.poll(() => errorText('image'), SOON).toBe('');
    // The duration limit follows the orientation chosen.
    await page.check('input[name=character_orientation][value=image]');
    expect(await errorText('video')).toBe('video lasts 1.0 s; with character_orientation=image it must last 3 to 10 s');
    await page.check('input[name=character_orientation][value=video]');
    expect(await errorText('video')).toBe(video.message);

    // Submitting now sends nothing and puts the focus on the field to fix.
    await page.click('#submit');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('video-input');
    expect(await page.isHidden('#run')).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'playground-bad-input.png'), fullPage: true });
  });

  it('works from the keyboard: the drop zones are file inputs with a visible focus ring', async () => {
    await page.goto(base);
    // Waiting first turns on Playwright's chooser interception before the key opens one.
    const imageChooser = page.waitForEvent('filechooser');
    await page.focus('#api-key');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('image-input');
    const ring = await page.evaluate(() => getComputedStyle(document.getElementById('image-drop')!).outlineStyle);
    expect(ring).toBe('solid');
    await page.keyboard.press('Enter');
    await (await imageChooser).setFiles(media.image);
    await expect.poll(() => page.textContent('#image-drop-text'), SOON).toContain('character.png');
    const videoChooser = page.waitForEvent('filechooser');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('video-input');
    await page.keyboard.press('Space');
    await (await videoChooser).setFiles(media.video);
    await expect.poll(() => page.textContent('#video-drop-text'), SOON).toContain('motion.mp4');
    expect(await errorText('image')).toBe('');
    expect(await errorText('video')).toBe('');
    // Every control has a name a screen reader can read.
    const unnamed = await page.evaluate(() => [...document.querySelectorAll('input, textarea, button')]
      .filter((el) => !(el as HTMLInputElement).labels?.length && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby') && !el.textContent?.trim())
      .map((el) => el.id || el.outerHTML.slice(0, 60)));
    expect(unnamed).toEqual([]);
  });

  it('creates a task, shows progress, then plays the result beside the driving video in sync', async () => {
    await page.goto(base);
    expect(await page.inputValue('#api-key')).toBe(KEY); // kept in localStorage
    await page.setInputFiles('#image-input', media.image);
    await page.setInputFiles('#video-input', media.video);
    await page.waitForFunction(() => !(document.getElementById('video-preview') as HTMLVideoElement).hidden);
    await page.check('input[name=character_orientation][value=video]');
    await page.fill('#prompt', 'a sunny park');
    expect(await page.textContent('#prompt-count')).toBe('12 / 2500');
    await page.screenshot({ path: path.join(ARTIFACTS, 'playground-desktop-form.png'), fullPage: true });
    await page.click('#submit');

    await page.waitForSelector('#run:not([hidden])');
    const seen = new Set<string>();
    await expect.poll(async () => {
      seen.add(await page.textContent('#progress-text') ?? '');
      return page.isVisible('#result');
    }, { timeout: 60_000, interval: 150 }).toBe(true);
    expect([...seen].some((t) => /^\d+% · about \d+ s left$/.test(t)), [...seen].join(' | ')).toBe(true);
    expect(await page.textContent('#progress-text')).toBe('Done · 100%');
    expect(await page.getAttribute('#progress', 'value')).toBe('100');

    const taskId = (await page.textContent('#run-task')) ?? '';
    const api = await (await fetch(`${service.baseUrl}/v3/async/task-result?task_id=${taskId}`, { headers: { Authorization: `Bearer ${KEY}` } })).json() as
      { task: { status: string }; videos: { video_url: string }[] };
    expect(api.task.status).toBe('TASK_STATUS_SUCCEED');

    await page.waitForFunction(() => (document.getElementById('output-video') as HTMLVideoElement).readyState >= 2);
    const inputSeconds = await durationOf(media.video);
    const info = await page.evaluate(() => {
      const out = document.getElementById('output-video') as HTMLVideoElement;
      return { duration: out.duration, src: out.currentSrc, download: (document.getElementById('download') as HTMLAnchorElement).href };
    });
    expect(Math.abs(info.duration - inputSeconds)).toBeLessThan(0.2);
    expect(info.src).toContain('/v1/files/');
    expect(info.download).toBe(info.src);

    // One play button drives both videos; they stay together.
    await page.click('#play');
    await page.waitForTimeout(1200);
    const playing = await page.evaluate(() => {
      const out = document.getElementById('output-video') as HTMLVideoElement;
      const drv = document.getElementById('driving-video') as HTMLVideoElement;
      return { out: out.currentTime, drv: drv.currentTime, paused: [out.paused, drv.paused] };
    });
    expect(playing.paused).toEqual([false, false]);
    expect(playing.out).toBeGreaterThan(0.5);
    expect(Math.abs(playing.out - playing.drv)).toBeLessThan(0.2);
    await page.click('#play');
    // One scrubber moves both.
    await page.evaluate(() => {
      const scrub = document.getElementById('scrub') as HTMLInputElement;
      scrub.value = '2';
      scrub.dispatchEvent(new Event('input'));
    });
    await page.waitForFunction(() => !(document.getElementById('output-video') as HTMLVideoElement).seeking);
    const scrubbed = await page.evaluate(() => [(document.getElementById('output-video') as HTMLVideoElement).currentTime, (document.getElementById('driving-video') as HTMLVideoElement).currentTime]);
    expect(scrubbed[0]).toBeCloseTo(2, 1);
    expect(scrubbed[1]).toBeCloseTo(2, 1);

    // The recent list has the task, done, with a thumbnail of the result's first frame.
    const item = page.locator(`#recent-list li[data-task="${taskId}"]`);
    await expect.poll(() => item.locator('img.thumb').getAttribute('src'), SOON).toMatch(/^data:image\/jpeg;base64,/);
    expect(await item.locator('.status').textContent()).toBe('Done');
    await page.screenshot({ path: path.join(ARTIFACTS, 'playground-desktop-result.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'playground-phone-result.png'), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('reopens a task from the list after a reload, side by side with its driving video again', async () => {
    await page.reload();
    const items = page.locator('#recent-list li');
    await expect.poll(() => items.count(), SOON).toBe(1);
    await items.first().getByRole('button', { name: /Open/ }).click();
    await page.waitForSelector('#result:not([hidden])');
    await page.waitForFunction(() => (document.getElementById('output-video') as HTMLVideoElement).readyState >= 1);
    // the driving video was kept in this browser (IndexedDB), so the pair plays again
    await page.waitForFunction(() => (document.getElementById('driving-video') as HTMLVideoElement).readyState >= 1);
    expect(await page.isHidden('#driving-missing')).toBe(true);
    expect(await page.isVisible('#driving-figure')).toBe(true);
    // the list comes from the server: a browser that kept nothing still sees the task
    await page.evaluate(() => localStorage.removeItem('marionette.tasks'));
    await page.reload();
    await expect.poll(() => items.count(), SOON).toBe(1);
    expect(await items.first().locator('.status').textContent()).toBe('Done');
  });

  it('cancels a running task from its Cancel button', async () => {
    await page.setInputFiles('#image-input', media.image);
    await page.setInputFiles('#video-input', media.video);
    await page.waitForFunction(() => !(document.getElementById('video-preview') as HTMLVideoElement).hidden);
    await page.fill('#prompt', '');
    await page.click('#submit');
    await page.waitForSelector('#cancel:not([hidden])', SOON);
    const taskId = (await page.textContent('#run-task')) ?? '';
    await page.click('#cancel');
    // (an event read just before the cancel may still arrive; the final state is what counts)
    await expect.poll(async () => `${await page.textContent('#progress-text')} ${await page.isHidden('#cancel')}`, SOON).toBe('Cancelled true');
    const api = await (await fetch(`${service.baseUrl}/v3/async/task-result?task_id=${taskId}`, { headers: { Authorization: `Bearer ${KEY}` } })).json() as
      { task: { status: string; reason: string } };
    expect(api.task).toMatchObject({ status: 'TASK_STATUS_FAILED', reason: 'TASK_CANCELED: cancelled by the client' });
    await expect.poll(() => page.locator(`#recent-list li[data-task="${taskId}"] .status`).textContent(), SOON).toBe('Failed');
    await page.screenshot({ path: path.join(ARTIFACTS, 'playground-cancelled.png'), fullPage: true });
  });

  it('shows a failed task\'s reason next to the field it concerns', async () => {
    await page.setInputFiles('#image-input', media.image);
    await page.setInputFiles('#video-input', media.video);
    await page.fill('#prompt', 'no person');
    await page.click('#submit');
    await expect.poll(() => errorText('video'), { timeout: 30_000 }).toBe(NO_PERSON);
    expect(await page.textContent('#progress-text')).toBe(`Failed: ${NO_PERSON}`);
    expect(await page.locator('#recent-list li').first().locator('.status').textContent()).toBe('Failed');
    await page.screenshot({ path: path.join(ARTIFACTS, 'playground-failed.png'), fullPage: true });
  });

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([]);
  });

  it('puts a refused key next to the key field', async () => {
    await page.fill('#api-key', 'not-a-key-this-server-issued');
    await page.fill('#prompt', '');
    await page.click('#submit');
    await expect.poll(() => errorText('api-key'), SOON).toContain('not known to this server');
    // Chromium logs every 4xx response: the refused create (and the task list asked with that key) are the only ones.
    expect(consoleErrors.length).toBeGreaterThan(0);
    for (const line of consoleErrors) expect(line).toContain('status of 403');
  });
});
