/** The contract's task-result body, built from a task record (pure; the API and the webhook both send it). */
import { wireStatus } from '../domain/task-status.js';
import type { TaskStatusView } from './types.js';

export const TASK_TYPE = 'KLING_V2_6_PRO_MOTION_CONTROL';

export interface TaskResultBody {
  task: {
    task_id: string;
    task_type: typeof TASK_TYPE;
    status: ReturnType<typeof wireStatus>;
    reason: string;
    eta: number;
    progress_percent: number;
  };
  extra: { debug_info: { request_info: string; submit_time_ms: string; execute_time_ms: string; complete_time_ms: string }; queue_position?: number };
  images: never[];
  videos: { video_url: string; video_url_ttl: string; video_type: 'mp4' }[];
  audios: never[];
}

const msString = (ms: number | null) => (ms === null ? '' : String(ms));

/** `videoUrl(key)` signs the result URL; it is only called for SUCCEED tasks. */
export function taskResultBody(t: TaskStatusView, videoUrl: (key: string) => string, videoUrlTtlS: number): TaskResultBody {
  const ended = t.status === 'SUCCEED' || t.status === 'FAILED';
  const succeeded = t.status === 'SUCCEED' && t.resultKey !== null;
  return {
    task: {
      task_id: t.id,
      task_type: TASK_TYPE,
      status: wireStatus(t.status),
      reason: t.status === 'FAILED' ? t.reason : '',
      eta: ended ? 0 : Math.max(0, Math.round(t.etaS)),
      progress_percent: t.status === 'SUCCEED' ? 100 : Math.min(99, Math.max(0, Math.floor(t.progress))),
    },
    extra: {
      debug_info: {
        request_info: '',
        submit_time_ms: msString(t.submitMs),
        execute_time_ms: msString(t.executeMs),
        complete_time_ms: msString(t.completeMs),
      },
    },
    images: [],
    videos: succeeded ? [{ video_url: videoUrl(t.resultKey!), video_url_ttl: String(videoUrlTtlS), video_type: 'mp4' }] : [],
    audios: [],
  };
}
