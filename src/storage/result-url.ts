/**
 * The `video_url` of a finished task: the storage's own presigned URL when it has one (S3: the bytes never
 * pass through Node), else the API's HMAC-signed /v1/files URL (local disk).
 */
import type { TaskStatusView } from '../tasks/types.js';
import { taskResultBody, type TaskResultBody } from '../tasks/result-view.js';
import type { ObjectStorage } from './object-storage.js';
import { signedObjectUrl } from './signed-url.js';

export type ResultUrlSigner = (key: string) => Promise<string>;

export interface ResultUrlSettings { publicUrl: string; urlSigningSecret: string; videoUrlTtlS: number }

export function resultUrlSigner(storage: ObjectStorage, c: ResultUrlSettings, now: () => number): ResultUrlSigner {
  return async (key) => (await storage.presignGet(key, c.videoUrlTtlS)) ?? signedObjectUrl(c.publicUrl, c.urlSigningSecret, key, now(), c.videoUrlTtlS);
}

/** The contract's task-result body with its video URL signed (only a SUCCEED task has one). */
export async function signedTaskResultBody(t: TaskStatusView, sign: ResultUrlSigner, videoUrlTtlS: number): Promise<TaskResultBody> {
  const url = t.status === 'SUCCEED' && t.resultKey !== null ? await sign(t.resultKey) : '';
  return taskResultBody(t, () => url, videoUrlTtlS);
}
