/**
 * Secrets not given in the environment are generated on first start and kept in the data dir (0600),
 * so result URLs and webhook signatures stay valid across restarts.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WEBHOOK_SECRET_PATTERN, withConfig, type Config, type ReadyConfig } from './config.js';

export interface ResolvedSecrets {
  config: ReadyConfig;
  /** Files that were created just now (to log where the secrets live). */
  generated: string[];
}

export const WEBHOOK_SECRET_FILE = 'webhook-secret.txt';
export const URL_SIGNING_SECRET_FILE = 'url-signing-secret.txt';

async function readOrCreate(file: string, make: () => string, valid: (s: string) => boolean): Promise<{ value: string; created: boolean }> {
  try {
    const value = (await readFile(file, 'utf8')).trim();
    if (!valid(value)) throw new Error(`${file} does not hold a valid secret; delete it to generate a new one`);
    return { value, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const value = make();
  // 'wx': two processes starting at once must not overwrite each other's secret.
  try {
    await writeFile(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
    return { value, created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readOrCreate(file, make, valid);
    throw err;
  }
}

export async function resolveSecrets(config: Config): Promise<ResolvedSecrets> {
  await mkdir(config.dataDir, { recursive: true });
  const generated: string[] = [];
  let webhookSecret = config.webhookSecret;
  if (webhookSecret === undefined) {
    const file = path.join(config.dataDir, WEBHOOK_SECRET_FILE);
    const r = await readOrCreate(file, () => `whsec_${randomBytes(32).toString('base64')}`, (s) => WEBHOOK_SECRET_PATTERN.test(s));
    webhookSecret = r.value;
    if (r.created) generated.push(file);
  }
  let urlSigningSecret = config.urlSigningSecret;
  if (urlSigningSecret === undefined) {
    const file = path.join(config.dataDir, URL_SIGNING_SECRET_FILE);
    const r = await readOrCreate(file, () => randomBytes(32).toString('base64url'), (s) => s.length >= 32);
    urlSigningSecret = r.value;
    if (r.created) generated.push(file);
  }
  return { config: withConfig(config, { webhookSecret, urlSigningSecret }) as ReadyConfig, generated };
}
