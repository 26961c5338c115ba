/**
 * Accepting a task: decode each input; inline bytes are written to the task's input dir and inspected now
 * (any problem is a 400 before a task exists); URLs are left for the worker. Then task + job in one transaction.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseInputField, type InputSource, type MediaField } from '../media/decode-input.js';
import { inspectImageFile, inspectVideoFile } from '../media/inspect.js';
import type { CharacterOrientation } from '../domain/orientation.js';
import { imageFileName, inputDir, videoFileName } from '../tasks/paths.js';
import type { NewTask, TaskInput, TaskStore } from '../tasks/types.js';
import { AppError } from '../domain/errors.js';
import type { CreateTaskBody } from './schemas.js';

/** 128 random bits, URL-safe. */
export function newTaskId(): string {
  return randomBytes(16).toString('base64url');
}

/** extra.webhook.url must be an absolute http(s) URL (pure). */
export function parseWebhookUrl(value: string | undefined): string | null {
  if (value === undefined) return null;
  let u: URL | undefined;
  try { u = new URL(value); } catch { /* below */ }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || value.length > 2048) {
    throw new AppError('INVALID_REQUEST_BODY', 'extra.webhook.url must be an http(s) URL', { field: 'extra.webhook.url' });
  }
  return u.toString();
}

async function materialise(field: MediaField, source: InputSource, dir: string, orientation: CharacterOrientation): Promise<{ input: TaskInput; durationS?: number }> {
  if (source.kind === 'url') return { input: { kind: 'url', url: source.url } };
  const upload = path.join(dir, `${field}.upload`);
  await writeFile(upload, source.bytes);
  let final: string;
  let durationS: number | undefined;
  if (field === 'image') {
    const info = await inspectImageFile(upload);
    final = path.join(dir, imageFileName(info.format));
  } else {
    const info = await inspectVideoFile(upload, orientation);
    final = path.join(dir, videoFileName(info.container));
    durationS = info.durationS;
  }
  await rename(upload, final);
  return { input: { kind: 'file', path: final }, durationS };
}

export interface CreateTaskContext { dataDir: string; tasks: TaskStore; now: () => number }

export async function createTask(body: CreateTaskBody, owner: string, ctx: CreateTaskContext): Promise<string> {
  const webhookUrl = parseWebhookUrl(body.extra?.webhook?.url);
  // Cheap checks on both fields before any file is written.
  const imageSource = parseInputField('image', body.image);
  const videoSource = parseInputField('video', body.video);
  const id = newTaskId();
  const dir = inputDir(ctx.dataDir, id);
  await mkdir(dir, { recursive: true });
  try {
    // Both inputs are inspected at once (ffprobe dominates); an image problem is reported first, as a person reads the form.
    const [imageResult, videoResult] = await Promise.allSettled([
      materialise('image', imageSource, dir, body.character_orientation),
      materialise('video', videoSource, dir, body.character_orientation),
    ]);
    if (imageResult.status === 'rejected') throw imageResult.reason;
    if (videoResult.status === 'rejected') throw videoResult.reason;
    const image = imageResult.value.input;
    const video = videoResult.value.input;
    const task: NewTask = {
      id, owner, orientation: body.character_orientation, keepOriginalSound: body.keep_original_sound ?? true,
      prompt: body.prompt ?? '', negativePrompt: body.negative_prompt ?? '', webhookUrl, image, video, submitMs: ctx.now(),
      videoDurationS: videoResult.value.durationS ?? null,
    };
    await ctx.tasks.createTask(task);
    return id;
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
