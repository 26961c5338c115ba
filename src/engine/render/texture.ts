/** The character's texture: the reference image premultiplied by its soft mask. */
import type { RasterImage, SoftMask } from '../types.js';
import type { PremultipliedTexture } from './raster.js';

/** RGBA Float32: colour 0..255 premultiplied by alpha, alpha 0..1 (the soft mask). */
export function makeCharacterTexture(img: RasterImage, alpha: SoftMask): PremultipliedTexture {
  const n = img.width * img.height;
  const c = img.channels;
  const data = new Float32Array(n * 4);
  for (let p = 0; p < n; p++) {
    const a = alpha.data[p];
    const s = p * c; const d = p * 4;
    data[d] = img.data[s] * a; data[d + 1] = img.data[s + 1] * a; data[d + 2] = img.data[s + 2] * a; data[d + 3] = a;
  }
  return { width: img.width, height: img.height, data };
}
