/**
 * Accepting a task: each inline input is decoded and inspected by the base64 decoder (worker threads, off the
 * event loop) in a local scratch dir (any problem is a 400 before a task exists), then moved into object
 * storage, so a worker on another machine can read it; URLs are left for the worker. Then task + job in one
 * transaction.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Base64Decoder } from '../media/base64-decoder.js';
import { classifyInputField, type EncodedInput, type MediaField } from '../media/decode-input.js';
import type { CharacterOrientation } from '../domain/orientation.js';
import { inputKeyFor, type ObjectStorage } from '../storage/object-storage.js';
import { inputDir } from '../tasks/paths.js';
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

async function materialise(id: string, field: MediaField, source: EncodedInput, dir: string, orientation: CharacterOrientation,
  ctx: CreateTaskContext, stored: string[]): Promise<{ input: TaskInput; durationS?: number }> {
  if (source.kind === 'url') return { input: { kind: 'url', url: source.url } };
  const upload = path.join(dir, `${field}.upload`);
  const { inspected } = await ctx.decoder.decodeAndInspect(field, source, upload, orientation);
  let ext: string;
  let durationS: number | undefined;
  if (inspected.field === 'image') {
    ext = inspected.info.format === 'png' ? 'png' : 'jpg';
  } else {
    ext = inspected.info.container === 'mov' ? 'mov' : 'mp4';
    durationS = inspected.info.durationS;
  }
  const key = inputKeyFor(id, field, ext);
  stored.push(key);
  await ctx.storage.putFile(key, upload);
  return { input: { kind: 'object', key }, durationS };
}

export interface CreateTaskContext {
  dataDir: string; tasks: TaskStore; storage: ObjectStorage; now: () => number;
  /** Checks and decodes base64 inputs off the event loop. */
  decoder: Base64Decoder;
  /** A pre-allocated id (idempotent creates). */
  id?: string;
}

export async function createTask(body: CreateTaskBody, owner: string, ctx: CreateTaskContext): Promise<string> {
  const webhookUrl = parseWebhookUrl(body.extra?.webhook?.url);
  // Cheap checks on both fields (which form, URL rules) before any decoding.
  const imageSource = classifyInputField('image', body.image);
  const videoSource = classifyInputField('video', body.video);
  const id = ctx.id ?? newTaskId();
  const dir = inputDir(ctx.dataDir, id);
  await mkdir(dir, { recursive: true });
  const stored: string[] = [];
  try {
    // Both inputs are inspected at once (ffprobe dominates); an image problem is reported first, as a person reads the form.
    const [imageResult, videoResult] = await Promise.allSettled([
      materialise(id, 'image', imageSource, dir, body.character_orientation, ctx, stored),
      materialise(id, 'video', videoSource, dir, body.character_orientation, ctx, stored),
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
    // No task: its inputs must not linger (the retention sweep would also find them, later).
    await Promise.all(stored.map((key) => ctx.storage.delete(key).catch(() => {})));
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
