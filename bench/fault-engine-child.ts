/**
 * An engine child for the fault script: speaks the real child protocol (src/engine/child-protocol.ts), reports the
 * engine's stages over about two seconds, and encodes a real H.264 result with ffmpeg (the still image for the
 * video's length), so killing it at any point leaves what a real engine would: a half-written output and an ffmpeg.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { FromChild, ToChild } from '../src/engine/child-protocol.js';
import { ENGINE_STAGES } from '../src/engine/types.js';

const run = promisify(execFile);
const STEP_MS = 350;

function send(msg: FromChild): Promise<void> {
  return new Promise((resolve) => { if (!process.send) resolve(); else process.send(msg, undefined, {}, () => resolve()); });
}

// As the real child: the parent gone means nobody wants the result; the group (ffmpeg too) goes with it.
const endGroup = () => { try { process.kill(-process.pid, 'SIGKILL'); } catch { process.exit(1); } };
process.on('disconnect', endGroup);
// A parent killed while this process was still loading disconnected before the listener existed.
if (!process.connected) endGroup();

process.once('message', (msg: ToChild) => {
  void (async () => {
    const req = msg.req;
    try {
      for (const [i, stage] of ENGINE_STAGES.entries()) {
        await send({ type: 'progress', progress: { stage, fraction: i / ENGINE_STAGES.length, etaSeconds: (ENGINE_STAGES.length - i) * STEP_MS / 1000 } });
        await new Promise((r) => setTimeout(r, STEP_MS));
      }
      const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', req.videoPath]);
      const durationS = Number(stdout.trim());
      await run('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-framerate', '10', '-i', req.imagePath, '-t', durationS.toFixed(2),
        '-vf', 'scale=320:-2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', req.outputPath], { timeout: 60_000 });
      await send({ type: 'done', result: { outputPath: req.outputPath, width: 320, height: 0, fps: 10, frameCount: Math.round(durationS * 10), durationS, hasAudio: false, timings: {} } });
    } catch (err) {
      await send({ type: 'failed', error: { internal: String(err) } });
    } finally {
      process.exit(0);
    }
  })();
});
