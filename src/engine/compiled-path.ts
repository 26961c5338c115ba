/**
 * Worker threads and child processes must load compiled JavaScript (Node 20 cannot load
 * TypeScript there). From a module under src/ (tests, tsx) this maps to its twin under dist/.
 */
import { fileURLToPath } from 'node:url';

export function compiledSibling(moduleUrl: string, relativeJs: string): string {
  const here = fileURLToPath(moduleUrl);
  const target = fileURLToPath(new URL(relativeJs, moduleUrl));
  if (here.endsWith('.ts')) {
    const marker = `${'/'}src${'/'}`;
    const at = target.lastIndexOf(marker);
    if (at >= 0) return `${target.slice(0, at)}/dist/${target.slice(at + marker.length)}`;
  }
  return target;
}
