/**
 * Engine child process: runs one task's pipeline out of the service's process, so CPU work never
 * touches the API's event loop and a crash (or kill) takes only this task with it.
 */
import { InProcessEngine } from './in-process.js';
import { serializeError, type FromChild, type ToChild } from './child-protocol.js';

function send(msg: FromChild): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(msg, undefined, {}, () => resolve());
  });
}

// The parent gone (killed, even with -9) means nobody wants the result: end this process group (this process
// leads it), so the ffmpeg processes it started do not run on as orphans.
process.on('disconnect', () => {
  try { process.kill(-process.pid, 'SIGKILL'); } catch { process.exit(1); }
});

process.once('message', (msg: ToChild) => {
  void (async () => {
    const engine = new InProcessEngine(msg.threads);
    try {
      const result = await engine.animate(msg.req, (progress) => { void send({ type: 'progress', progress }); });
      await send({ type: 'done', result });
    } catch (err) {
      await send({ type: 'failed', error: serializeError(err) });
    } finally {
      await engine.close().catch(() => undefined);
      // Leftover children of a failed run (an ffmpeg still writing) are killed with the group by the parent.
      process.exit(0);
    }
  })();
});
