/**
 * `marionette animate --image a.jpg --video b.mp4 --orientation video [--no-sound] -o out.mp4 [--debug-dir d] [--threads n]`
 * Runs the engine on local files, without the server.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { isAppError } from '../domain/errors.js';
import { inspectImageFile } from '../media/inspect.js';
import { InProcessEngine } from './in-process.js';
import type { CharacterOrientation } from '../domain/orientation.js';

const USAGE = 'usage: marionette animate --image <jpg|png> --video <mp4|mov> --orientation <image|video> -o <out.mp4> [--no-sound] [--debug-dir <dir>] [--threads <n>]';

export async function runAnimateCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        image: { type: 'string' }, video: { type: 'string' }, orientation: { type: 'string', default: 'video' },
        output: { type: 'string', short: 'o' }, 'no-sound': { type: 'boolean', default: false },
        'debug-dir': { type: 'string' }, threads: { type: 'string', default: '2' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) { process.stdout.write(`${USAGE}\n`); return 0; }
  const orientation = values.orientation as CharacterOrientation;
  if (!values.image || !values.video || !values.output || (orientation !== 'image' && orientation !== 'video')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const threads = Math.max(1, Number.parseInt(values.threads, 10) || 2);
  const engine = new InProcessEngine(threads);
  try {
    await inspectImageFile(values.image);
    let lastPct = -1;
    const result = await engine.animate({
      imagePath: path.resolve(values.image), videoPath: path.resolve(values.video), outputPath: path.resolve(values.output),
      orientation, keepOriginalSound: !values['no-sound'],
      debugDir: values['debug-dir'] ? path.resolve(values['debug-dir']) : undefined,
    }, (p) => {
      const pct = Math.floor(p.fraction * 100);
      if (pct !== lastPct && process.stderr.isTTY) process.stderr.write(`\r${p.stage.padEnd(10)} ${String(pct).padStart(3)}%  eta ${p.etaSeconds ?? '?'} s   `);
      lastPct = pct;
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    const t = Object.entries(result.timings).map(([k, v]) => `${k} ${v?.toFixed(2)}s`).join(', ');
    process.stdout.write(`${result.outputPath}: ${result.width}x${result.height}, ${result.fps.toFixed(3)} fps, ${result.frameCount} frames, ${result.durationS.toFixed(2)} s, audio ${result.hasAudio ? 'yes' : 'no'}\n${t}\n`);
    return 0;
  } catch (err) {
    if (isAppError(err)) process.stderr.write(`${err.reason}: ${err.message}\n`);
    else process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  } finally {
    await engine.close();
  }
}
