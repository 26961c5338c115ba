/**
 * Engine child process: runs one task's pipeline out of the service's process, so CPU work never
 * touches the API's event loop and a crash (or kill) takes only this task with it.
 *
 * The watch on the parent is set up first, before the engine's modules (TensorFlow, the pipeline) are even
 * imported: a parent killed (even with -9) while this process loads means nobody wants the result, and this
 * process group (this process leads it) ends, so no ffmpeg it started runs on as an orphan.
 */
import type { FromChild, ToChild } from './child-protocol.js';

function endGroup(): void {
  try { process.kill(-process.pid, 'SIGKILL'); } catch { process.exit(1); }
}

process.on('disconnect', endGroup);
// Disconnected before the listener existed (the parent died while Node was starting).
if (!process.connected) endGroup();
// Belt and braces for a closed channel that was never noticed: a dead parent's child is re-parented.
const parentPid = process.ppid;
const PARENT_CHECK_MS = 1000;
setInterval(() => { if (process.ppid !== parentPid) endGroup(); }, PARENT_CHECK_MS).unref();

// Loading starts at once (overlapping the wait for the request); the watch above already runs.
const engineModules = Promise.all([import('./in-process.js'), import('./child-protocol.js')]);

function send(msg: FromChild): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(msg, undefined, {}, () => resolve());
  });
}

process.once('message', (msg: ToChild) => {
  void (async () => {
    const [{ InProcessEngine }, { serializeError }] = await engineModules;
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
