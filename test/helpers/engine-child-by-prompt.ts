/**
 * An engine child for the SIGTERM test: speaks the real child protocol (src/engine/child-protocol.ts) and does
 * what the task's prompt says. "hold": reports progress and keeps an ffmpeg child running until it is killed (as
 * an engine mid-encode). "quick:<ms>": after that long encodes a real H.264 result with ffmpeg and is done.
 * Like the real child, it ends its process group when its parent goes away.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import type { FromChild, ToChild } from '../../src/engine/child-protocol.js';

const run = promisify(execFile);

const endGroup = () => { try { process.kill(-process.pid, 'SIGKILL'); } catch { process.exit(1); } };
process.on('disconnect', endGroup);
if (!process.connected) endGroup();

function send(msg: FromChild): Promise<void> {
  return new Promise((resolve) => { if (!process.send) resolve(); else process.send(msg, undefined, {}, () => resolve()); });
}

process.once('message', (msg: ToChild) => {
  void (async () => {
    const req = msg.req;
    const prompt = req.prompt ?? '';
    try {
      await send({ type: 'progress', progress: { stage: 'motion', fraction: 0.3 } });
      if (prompt === 'hold') {
        // Reads the task's own scratch image (so the test can find it by path) for ten minutes.
        spawn('ffmpeg', ['-v', 'error', '-re', '-loop', '1', '-i', req.imagePath, '-t', '600', '-f', 'null', '-'], { stdio: 'ignore' });
        await new Promise(() => { /* until killed */ });
      }
      await new Promise((r) => setTimeout(r, Number(/^quick:(\d+)$/.exec(prompt)?.[1] ?? 0)));
      await run('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-framerate', '10', '-i', req.imagePath, '-t', '1',
        '-vf', 'scale=320:-2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', req.outputPath], { timeout: 60_000 });
      await send({ type: 'done', result: { outputPath: req.outputPath, width: 320, height: 0, fps: 10, frameCount: 10, durationS: 1, hasAudio: false, timings: {} } });
    } catch (err) {
      await send({ type: 'failed', error: { internal: String(err) } });
    } finally {
      process.exit(0);
    }
  })();
});
