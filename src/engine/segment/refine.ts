/** From a soft segmentation to the character's binary mask and a feathered alpha for compositing. */
import type { SoftMask } from '../types.js';
import { binaryFromSoft, components, countSet, fillHoles, insideDistance, type BinaryMask } from './mask.js';

export interface RefineOptions {
  /** Probability at or above which a pixel is the character (default 0.5). */
  threshold?: number;
  /** Points that lie on the character (detected joints): keep the components containing or near them. */
  keepNear?: { x: number; y: number }[];
  /** The character's own opacity (a drawing's ink), used inside the mask instead of a feathered edge. */
  alpha?: SoftMask;
}

/** Component ids that contain each point, or the nearest one within `radius` px. */
function componentsNear(labels: Int32Array, w: number, h: number, points: { x: number; y: number }[], radius: number): Set<number> {
  const keep = new Set<number>();
  for (const p of points) {
    const px = Math.round(p.x); const py = Math.round(p.y);
    let best = 0; let bestD = Infinity;
    for (let y = Math.max(0, py - radius); y <= Math.min(h - 1, py + radius); y++) {
      for (let x = Math.max(0, px - radius); x <= Math.min(w - 1, px + radius); x++) {
        const id = labels[y * w + x];
        if (id === 0) continue;
        const d = (x - px) ** 2 + (y - py) ** 2;
        if (d < bestD) { bestD = d; best = id; }
      }
    }
    if (best > 0 && bestD <= radius * radius) keep.add(best);
  }
  return keep;
}

/**
 * Threshold → keep the component(s) at the given points (else the largest) → fill small holes (gaps
 * between an arm and the body are real background and stay open) → alpha feathered over the
 * outermost ~2 px inside the silhouette (or the given alpha, inside the mask).
 */
export function refineMask(soft: SoftMask, o: RefineOptions = {}): { binary: BinaryMask; soft: SoftMask } {
  const { width: w, height: h } = soft;
  const raw = binaryFromSoft(soft, o.threshold ?? 0.5);
  const { labels, sizes } = components(raw, 1);
  let keep = new Set<number>();
  if (o.keepNear && o.keepNear.length > 0) {
    const radius = Math.max(3, Math.round(0.03 * Math.hypot(w, h)));
    keep = componentsNear(labels, w, h, o.keepNear, radius);
  }
  if (keep.size === 0) {
    let best = 0;
    for (let i = 1; i < sizes.length; i++) if (sizes[i] > (sizes[best] ?? 0)) best = i;
    if (best > 0) keep.add(best);
  }
  const data = new Uint8Array(w * h);
  for (let i = 0; i < data.length; i++) data[i] = keep.has(labels[i]) ? 1 : 0;
  const area = countSet({ width: w, height: h, data });
  const binary = fillHoles({ width: w, height: h, data }, Math.max(64, 0.01 * area));
  const alpha = new Float32Array(w * h);
  if (o.alpha) {
    for (let i = 0; i < alpha.length; i++) alpha[i] = binary.data[i] ? o.alpha.data[i] : 0;
  } else {
    const dist = insideDistance(binary);
    for (let i = 0; i < alpha.length; i++) alpha[i] = dist[i] >= 2 ? 1 : dist[i] * 0.5;
  }
  return { binary, soft: { width: w, height: h, data: alpha } };
}
