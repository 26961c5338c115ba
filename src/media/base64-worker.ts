/**
 * Worker thread of the base64 decoder: checks a request's base64 string, decodes it, writes the bytes to a file
 * and inspects it, so none of that runs on the API's event loop: a 13 MB string is tens of milliseconds of work,
 * and each ffprobe/ffmpeg the inspection starts is a synchronous spawn that grows with the process's memory.
 */
import { writeFileSync } from 'node:fs';
import { parentPort, threadId } from 'node:worker_threads';
import { AppError } from '../domain/errors.js';
import { decodeBase64 } from './decode-input.js';
import { inspectImageFile, inspectVideoFile } from './inspect.js';
import type { DecodeReply, DecodeRequest } from './base64-decoder.js';

const port = parentPort;
if (!port) throw new Error('base64-worker must run in a worker thread');

async function handle(m: DecodeRequest): Promise<DecodeReply> {
  try {
    const bytes = decodeBase64(m.field, m.payload, m.what);
    writeFileSync(m.dest, bytes);
    const inspected = m.field === 'image'
      ? { field: 'image' as const, info: await inspectImageFile(m.dest) }
      : { field: 'video' as const, info: await inspectVideoFile(m.dest, m.orientation) };
    return { id: m.id, bytes: bytes.length, threadId, inspected };
  } catch (err) {
    return err instanceof AppError
      ? { id: m.id, refused: { reason: err.reason, message: err.message, metadata: err.metadata } }
      : { id: m.id, failed: err instanceof Error ? err.message : String(err) };
  }
}

port.on('message', (m: DecodeRequest) => { void handle(m).then((reply) => port.postMessage(reply)); });
