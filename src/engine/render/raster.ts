/**
 * Software rasteriser for the rigged character: textured triangles, bilinear sampling of a
 * premultiplied texture, composited OVER an RGB canvas, group by group back to front.
 *
 * Coordinates: a pixel's centre is at integer (x, y) in both the texture (rest positions) and the
 * canvas. Vertices are snapped to 1/256 px and edge functions evaluated exactly in integers, so
 * triangles sharing an edge use a top-left rule: every pixel on the seam is drawn exactly once.
 * Silhouette edges reach SILHOUETTE_REACH px past the outline, where the texture's alpha draws the edge.
 * Contact edges (where two groups were split apart) get full coverage up to the edge and a 1 px
 * ramp outside, so the group behind never lets the background show through the contact.
 */
import { HIDDEN_COPY, type Rig } from '../rig/mesh.js';
import { mulberry32 } from '../geometry/random.js';
import { smoothstep } from '../geometry/smoothstep.js';
import { GROUP_PARENT, PART_GROUPS, boneGroup, groupIndex, type PartGroup } from '../rig/skeleton.js';

export interface RgbCanvas { width: number; height: number; data: Uint8Array }

/**
 * RGBA premultiplied by the soft mask alpha. As Float32Array: colour 0..255 premultiplied, alpha 0..1
 * (what makeCharacterTexture returns). As Uint8Array: all four channels 0..255.
 */
export interface PremultipliedTexture { width: number; height: number; data: Float32Array | Uint8Array }

export interface DrawTransform { scale: number; dx: number; dy: number; mirror?: boolean }

const FP = 256;
/**
 * Silhouette edges are drawn about this far (canvas px) past the mesh's outline (fully for a pixel
 * less, then ramping out over a pixel): the outline is a simplified polygon through the mask's border
 * pixels, so it cuts a sliver off every convex edge, and there the texture's own alpha (the soft mask)
 * is the true edge.
 */
const SILHOUETTE_REACH = 1;
/** By edge flag (interior, silhouette, contact): how far past the edge (px) a pixel is still drawn. */
const EDGE_REACH = [0, SILHOUETTE_REACH + 0.5, 1];

/**
 * The texture as Float32 RGBA (alpha 0..1) with a 1-texel transparent border, so bilinear taps need
 * no bounds checks; at mip `level`, each texel the mean of a 2^level square of the picture's
 * (premultiplied, so the mean is the right colour; at the picture's edge, of the texels there are).
 * Cached per texture buffer and level.
 */
interface PaddedTexture { data: Float32Array; width: number; height: number }
const paddedTextures = new WeakMap<Float32Array | Uint8Array, Map<number, PaddedTexture>>();
function paddedTexture(tex: PremultipliedTexture, level: number): PaddedTexture {
  let levels = paddedTextures.get(tex.data);
  if (!levels) { levels = new Map(); paddedTextures.set(tex.data, levels); }
  const cached = levels.get(level);
  if (cached) return cached;
  const { width: w, height: h, data } = tex;
  const k = 1 << level;
  const lw = Math.ceil(w / k); const lh = Math.ceil(h / k);
  const pw = lw + 2;
  const f = new Float32Array(pw * (lh + 2) * 4);
  const alphaScale = data instanceof Float32Array ? 1 : 1 / 255;
  for (let y = 0; y < lh; y++) {
    for (let x = 0; x < lw; x++) {
      let r = 0; let g = 0; let b = 0; let a = 0; let n = 0;
      for (let sy = y * k; sy < Math.min(h, (y + 1) * k); sy++) {
        for (let sx = x * k; sx < Math.min(w, (x + 1) * k); sx++) {
          const s = (sy * w + sx) * 4;
          r += data[s]; g += data[s + 1]; b += data[s + 2]; a += data[s + 3]; n++;
        }
      }
      const d = ((y + 1) * pw + x + 1) * 4;
      f[d] = r / n; f[d + 1] = g / n; f[d + 2] = b / n; f[d + 3] = (a / n) * alphaScale;
    }
  }
  const padded = { data: f, width: lw, height: lh };
  levels.set(level, padded);
  return padded;
}

/** Mip levels below the full texture at most: a character is rarely drawn below a quarter of its picture. */
const MAX_MIP_LEVEL = 2;

/**
 * The mip level to sample when the picture is drawn at `scale` canvas px per picture px: the
 * coarsest whose texels still cover at most one canvas px, so a shrunk character is filtered (no
 * shimmering texture) and sampling stays cache-friendly.
 */
export function mipLevel(scale: number): number {
  if (!(scale > 0) || scale >= 0.5) return 0;
  return Math.min(MAX_MIP_LEVEL, Math.floor(Math.log2(1 / scale) + 1e-9));
}

/**
 * Per layer: its own triangles, its hidden-part copies, and its children's round tops (copies of a
 * limb over its parent's pixels, the limb's material that fills the gap at the joint).
 */
interface LayerTriangles { own: Uint32Array; hidden: Uint32Array; childTops: Uint32Array }

/** A triangle's centroid in the picture (rest positions) and the layer-map pixel it falls on. */
function restCentre(rig: Rig, t: number): { x: number; y: number; pixel: number } {
  const { width: w, height: h } = rig.layers;
  let x = 0; let y = 0;
  for (let k = 0; k < 3; k++) { const v = rig.triangles[3 * t + k]; x += rig.rest[2 * v]; y += rig.rest[2 * v + 1]; }
  x /= 3; y /= 3;
  const px = Math.min(w - 1, Math.max(0, Math.round(x))); const py = Math.min(h - 1, Math.max(0, Math.round(y)));
  return { x, y, pixel: py * w + px };
}

const groupTriangles = new WeakMap<Rig, LayerTriangles[]>();
function trianglesByGroup(rig: Rig): LayerTriangles[] {
  let g = groupTriangles.get(rig);
  if (!g) {
    const own: number[][] = PART_GROUPS.map(() => []);
    const hidden: number[][] = PART_GROUPS.map(() => []);
    const tops: number[][] = PART_GROUPS.map(() => []);
    const shows = rig.layers.own;
    for (let t = 0; t < rig.triangleBone.length; t++) {
      const group = boneGroup(rig.triangleBone[t]);
      const layer = groupIndex(group);
      if (rig.copyKind[t] !== HIDDEN_COPY) { own[layer].push(t); continue; }
      // A copy lying on its parent's pixels is the limb's top inside the parent.
      const parent = GROUP_PARENT[group];
      if (parent !== null && shows[restCentre(rig, t).pixel] === groupIndex(parent)) tops[groupIndex(parent)].push(t);
      else hidden[layer].push(t);
    }
    g = own.map((l, i) => ({ own: Uint32Array.from(l), hidden: Uint32Array.from(hidden[i]), childTops: Uint32Array.from(tops[i]) }));
    groupTriangles.set(rig, g);
  }
  return g;
}

/**
 * Per triangle: for a hidden-part copy (a part a layer hid, or a limb's round top inside its parent),
 * the nearest vertex of the layer that lies over it in the picture, or past the outline of the nearest
 * other layer; -1 for every other triangle.
 */
const hiderVertices = new WeakMap<Rig, Int32Array>();
function hiderVertexOf(rig: Rig): Int32Array {
  let out = hiderVertices.get(rig);
  if (out) return out;
  const shows = rig.layers.own;
  const byLayer: number[][] = PART_GROUPS.map(() => []);
  const listed = new Uint8Array(rig.rest.length / 2);
  for (let t = 0; t < rig.triangleBone.length; t++) {
    if (rig.copyKind[t] !== -1) continue;
    const layer = groupIndex(boneGroup(rig.triangleBone[t]));
    for (let k = 0; k < 3; k++) {
      const v = rig.triangles[3 * t + k];
      if (!listed[v]) { listed[v] = 1; byLayer[layer].push(v); }
    }
  }
  out = new Int32Array(rig.triangleBone.length).fill(-1);
  for (let t = 0; t < rig.triangleBone.length; t++) {
    if (rig.copyKind[t] !== HIDDEN_COPY) continue;
    const { x: cx, y: cy, pixel } = restCentre(rig, t);
    const self = groupIndex(boneGroup(rig.triangleBone[t]));
    const hider = shows[pixel];
    // Past the outline (a band's outer half, a limb's round top), the nearest other layer stands in.
    const candidates = hider >= 0 && hider !== self ? [hider] : PART_GROUPS.map((_, i) => i).filter((i) => i !== self);
    let best = -1; let bestD = Infinity;
    for (const layer of candidates) {
      for (const v of byLayer[layer]) {
        const d = (rig.rest[2 * v] - cx) ** 2 + (rig.rest[2 * v + 1] - cy) ** 2;
        if (d < bestD) { bestD = d; best = v; }
      }
    }
    out[t] = best;
  }
  hiderVertices.set(rig, out);
  return out;
}

/**
 * A hidden part shows as its hider moves off it: not at all while the hider is within
 * HIDDEN_FROM canvas px of where it was over it (relative to the part), fully from HIDDEN_TO.
 * At rest, it lay under its hider; drawn anyway it showed where no gap had opened (pale rims round
 * a standing dancer's knees, a thigh's synthesized top over the hem of her skirt).
 */
const HIDDEN_FROM = 0.3;
const HIDDEN_TO = 1.5;

interface Target { canvas: RgbCanvas; tex: Float32Array; tw: number; th: number }

/**
 * drawTriangle's per-triangle scratch: typed, so a vertex at −0 or a fractional reach never changes an
 * array's element kind under the optimised code (each such change threw the rasteriser back to the
 * interpreter, hundreds of times per clip).
 */
const EDGE_AX = new Float64Array(3); const EDGE_AY = new Float64Array(3);
const EDGE_EX = new Float64Array(3); const EDGE_EY = new Float64Array(3);
const EDGE_INV = new Float64Array(3); const EDGE_FLAG = new Uint8Array(3);

/** Draws one triangle; canvas positions (X, Y) and texture positions (U, V) per vertex. */
function drawTriangle(
  tg: Target, X: Float64Array, Y: Float64Array, U: Float64Array, V: Float64Array, flags: Uint8Array, opacity: number,
): void {
  const { canvas, tex, tw, th } = tg;
  const cw = canvas.width; const chh = canvas.height; const out = canvas.data;
  const x0 = Math.round(X[0] * FP); const y0 = Math.round(Y[0] * FP);
  let x1 = Math.round(X[1] * FP); let y1 = Math.round(Y[1] * FP);
  let x2 = Math.round(X[2] * FP); let y2 = Math.round(Y[2] * FP);
  let area = (x1 - x0) * (y2 - y0) - (y1 - y0) * (x2 - x0);
  if (area === 0) return;
  const u0 = U[0]; const v0 = V[0]; let u1 = U[1]; let v1 = V[1]; let u2 = U[2]; let v2 = V[2];
  let f0 = flags[0]; const f1 = flags[1]; let f2 = flags[2];
  if (area < 0) {
    // Reorder to v0, v2, v1: edges become (v0→v2, v2→v1, v1→v0) = old (e2, e1, e0).
    let t = x1; x1 = x2; x2 = t; t = y1; y1 = y2; y2 = t;
    t = u1; u1 = u2; u2 = t; t = v1; v1 = v2; v2 = t;
    t = f0; f0 = f2; f2 = t;
    area = -area;
  }
  // Edge k from vertex k to k+1; E_k(P) = (B−A) × (P−A) is > 0 inside.
  const ax = EDGE_AX; const ay = EDGE_AY; const fl = EDGE_FLAG;
  ax[0] = x0; ax[1] = x1; ax[2] = x2; ay[0] = y0; ay[1] = y1; ay[2] = y2;
  fl[0] = f0; fl[1] = f1; fl[2] = f2;
  const ex = EDGE_EX; const ey = EDGE_EY; const inv = EDGE_INV;
  let pad = 0;
  for (let k = 0; k < 3; k++) {
    const bx = ax[(k + 1) % 3]; const by = ay[(k + 1) % 3];
    ex[k] = bx - ax[k]; ey[k] = by - ay[k];
    inv[k] = 1 / (Math.hypot(ex[k], ey[k]) * FP); // E / (|edge| · FP) = distance in px
    pad = Math.max(pad, EDGE_REACH[fl[k]]);
  }
  const minX = Math.max(0, Math.ceil(Math.min(x0, x1, x2) / FP - pad));
  const maxX = Math.min(cw - 1, Math.floor(Math.max(x0, x1, x2) / FP + pad));
  const minY = Math.max(0, Math.ceil(Math.min(y0, y1, y2) / FP - pad));
  const maxY = Math.min(chh - 1, Math.floor(Math.max(y0, y1, y2) / FP + pad));
  if (minX > maxX || minY > maxY) return;
  // Barycentric weights: λ0 = E1/area, λ1 = E2/area, λ2 = E0/area; texture coords are affine in P.
  const dUdE1 = u0 / area; const dUdE2 = u1 / area; const dUdE0 = u2 / area;
  const dVdE1 = v0 / area; const dVdE2 = v1 / area; const dVdE0 = v2 / area;
  const sx0 = -ey[0] * FP; const sx1 = -ey[1] * FP; const sx2 = -ey[2] * FP;
  const aa0 = fl[0]; const aa1 = fl[1]; const aa2 = fl[2];
  const du = sx1 * dUdE1 + sx2 * dUdE2 + sx0 * dUdE0;
  const dv = sx1 * dVdE1 + sx2 * dVdE2 + sx0 * dVdE0;
  // Per edge, the smallest E still drawn: 0 (tie rule decides), or −EDGE_REACH px for AA edges.
  const off0 = EDGE_REACH[aa0]; const off1 = EDGE_REACH[aa1]; const off2 = EDGE_REACH[aa2];
  const lim0 = -off0 / inv[0]; const lim1 = -off1 / inv[1]; const lim2 = -off2 / inv[2];
  const i0 = inv[0]; const i1 = inv[1]; const i2 = inv[2];
  // Top-left rule: a pixel exactly on an edge is drawn by the triangle whose edge runs down or left.
  const t0 = ey[0] > 0 || (ey[0] === 0 && ex[0] < 0);
  const t1 = ey[1] > 0 || (ey[1] === 0 && ex[1] < 0);
  const t2 = ey[2] > 0 || (ey[2] === 0 && ex[2] < 0);
  const pw = tw + 2; const pw4 = pw * 4;
  const umax = tw; const vmax = th; // padded coords run −1..tw
  for (let py = minY; py <= maxY; py++) {
    const PY = py * FP; const PX = minX * FP;
    const r0 = ex[0] * (PY - ay[0]) - ey[0] * (PX - ax[0]);
    const r1 = ex[1] * (PY - ay[1]) - ey[1] * (PX - ax[1]);
    const r2 = ex[2] * (PY - ay[2]) - ey[2] * (PX - ax[2]);
    // The span where all three edges can pass, with a pixel of margin; exact tests follow.
    let lo = minX; let hi = maxX;
    if (sx0 > 0) lo = Math.max(lo, minX + Math.floor((lim0 - r0) / sx0) - 1);
    else if (sx0 < 0) hi = Math.min(hi, minX + Math.ceil((lim0 - r0) / sx0) + 1);
    else if (r0 < lim0) continue;
    if (sx1 > 0) lo = Math.max(lo, minX + Math.floor((lim1 - r1) / sx1) - 1);
    else if (sx1 < 0) hi = Math.min(hi, minX + Math.ceil((lim1 - r1) / sx1) + 1);
    else if (r1 < lim1) continue;
    if (sx2 > 0) lo = Math.max(lo, minX + Math.floor((lim2 - r2) / sx2) - 1);
    else if (sx2 < 0) hi = Math.min(hi, minX + Math.ceil((lim2 - r2) / sx2) + 1);
    else if (r2 < lim2) continue;
    if (lo > hi) continue;
    const k = lo - minX;
    let e0 = r0 + k * sx0; let e1 = r1 + k * sx1; let e2 = r2 + k * sx2;
    let u = e1 * dUdE1 + e2 * dUdE2 + e0 * dUdE0;
    let v = e1 * dVdE1 + e2 * dVdE2 + e0 * dVdE0;
    let o = (py * cw + lo) * 3;
    for (let px = lo; px <= hi; px++, e0 += sx0, e1 += sx1, e2 += sx2, u += du, v += dv, o += 3) {
      let cov = opacity;
      if (aa0 === 0) { if (e0 < 0 || (e0 === 0 && !t0)) continue; } else {
        const d = e0 * i0 + off0;
        if (d <= 0) continue; if (d < 1) cov *= d;
      }
      if (aa1 === 0) { if (e1 < 0 || (e1 === 0 && !t1)) continue; } else {
        const d = e1 * i1 + off1;
        if (d <= 0) continue; if (d < 1) cov *= d;
      }
      if (aa2 === 0) { if (e2 < 0 || (e2 === 0 && !t2)) continue; } else {
        const d = e2 * i2 + off2;
        if (d <= 0) continue; if (d < 1) cov *= d;
      }
      // Bilinear sample in the padded texture (texel (x, y) at padded (x + 1, y + 1)).
      const uc = u < -1 ? -1 : u > umax ? umax : u;
      const vc = v < -1 ? -1 : v > vmax ? vmax : v;
      const fx = ((uc + 1) | 0) - 1; const fy = ((vc + 1) | 0) - 1; // floor, as uc, vc ≥ −1
      const gx = uc - fx; const gy = vc - fy;
      const t = ((fy + 1) * pw + fx + 1) * 4;
      const w00 = (1 - gx) * (1 - gy); const w10 = gx * (1 - gy); const w01 = (1 - gx) * gy; const w11 = gx * gy;
      const a = w00 * tex[t + 3] + w10 * tex[t + 7] + w01 * tex[t + pw4 + 3] + w11 * tex[t + pw4 + 7];
      if (a <= 0) continue;
      const r = w00 * tex[t] + w10 * tex[t + 4] + w01 * tex[t + pw4] + w11 * tex[t + pw4 + 4];
      const g = w00 * tex[t + 1] + w10 * tex[t + 5] + w01 * tex[t + pw4 + 1] + w11 * tex[t + pw4 + 5];
      const b = w00 * tex[t + 2] + w10 * tex[t + 6] + w01 * tex[t + pw4 + 2] + w11 * tex[t + pw4 + 6];
      const keep = 1 - a * cov;
      if (keep <= 0) {
        out[o] = r + 0.5; out[o + 1] = g + 0.5; out[o + 2] = b + 0.5;
      } else {
        out[o] = r * cov + out[o] * keep + 0.5;
        out[o + 1] = g * cov + out[o + 1] * keep + 0.5;
        out[o + 2] = b * cov + out[o + 2] * keep + 0.5;
      }
    }
  }
}

/**
 * Runs drawTriangle over random small triangles (every edge kind, both windings, vertices at −0 and
 * off the canvas) on a scratch canvas, so a render worker's first frames do not pay for its type
 * feedback and recompilation: without it, the optimised rasteriser was thrown away and rebuilt
 * several times during a clip's first frames. Touches nothing outside its own buffers.
 */
export function warmUpRasteriser(triangles = 4000): void {
  const w = 48; const h = 48; const tw = 12; const th = 12;
  const canvas: RgbCanvas = { width: w, height: h, data: new Uint8Array(w * h * 3) };
  const tex = new Float32Array((tw + 2) * (th + 2) * 4);
  const rnd = mulberry32(7);
  for (let i = 0; i < tex.length; i += 4) {
    const a = rnd() < 0.2 ? 0 : rnd() < 0.5 ? 1 : rnd();
    tex[i] = 255 * a * rnd(); tex[i + 1] = 255 * a * rnd(); tex[i + 2] = 255 * a * rnd(); tex[i + 3] = a;
  }
  const target: Target = { canvas, tex, tw, th };
  const X = new Float64Array(3); const Y = new Float64Array(3); const U = new Float64Array(3); const V = new Float64Array(3);
  const F = new Uint8Array(3);
  for (let n = 0; n < triangles; n++) {
    const cx = rnd() * (w + 16) - 8; const cy = rnd() * (h + 16) - 8; const r = 1 + rnd() * 12;
    for (let k = 0; k < 3; k++) {
      // Now and then a vertex just left of 0, which rounds to −0 in fixed point.
      X[k] = rnd() < 0.05 ? -0.001 : cx + (rnd() - 0.5) * r;
      Y[k] = rnd() < 0.05 ? -0.001 : cy + (rnd() - 0.5) * r;
      U[k] = rnd() * (tw + 4) - 2; V[k] = rnd() * (th + 4) - 2;
      F[k] = Math.floor(rnd() * 3);
    }
    drawTriangle(target, X, Y, U, V, F, 1);
  }
}

/**
 * Where image px land on a canvas `canvasWidth` wide under `t` (x' = scale·x + dx, as pixel areas,
 * then mirrored about the canvas' vertical centre line when asked). Pixel centres at integers.
 */
export function canvasPlacement(t: DrawTransform, canvasWidth: number): { x: (x: number) => number; y: (y: number) => number } {
  const s = t.scale;
  const ox = s * 0.5 + t.dx - 0.5; const oy = s * 0.5 + t.dy - 0.5;
  const flipW = canvasWidth - 1;
  return { x: t.mirror ? (x) => flipW - (s * x + ox) : (x) => s * x + ox, y: (y) => s * y + oy };
}

/**
 * Draws the posed rig over the canvas, groups back to front in `order` (groups not listed are not
 * drawn). Before a layer's own triangles come its hidden parts (from `hiddenTexture`: what the
 * layers in front of it hid in the picture) and its children's tops inside it, so the character
 * stays whole whatever the bend and whichever layer is in front. The transform maps image px to canvas px (x' = scale·x + dx, as pixel areas); `mirror`
 * then flips the result about the canvas' vertical centre line.
 */
export function drawRig(
  canvas: RgbCanvas, tex: PremultipliedTexture, rig: Rig, posed: Float32Array,
  o: { order: PartGroup[]; transform?: DrawTransform; hiddenTexture?: PremultipliedTexture },
): void {
  const transform = o.transform ?? { scale: 1, dx: 0, dy: 0 };
  const place = canvasPlacement(transform, canvas.width);
  const level = mipLevel(transform.scale);
  const main = paddedTexture(tex, level);
  const target: Target = { canvas, tex: main.data, tw: main.width, th: main.height };
  const byGroup = trianglesByGroup(rig);
  const hidden = o.hiddenTexture ? paddedTexture(o.hiddenTexture, level) : null;
  const X = new Float64Array(3); const Y = new Float64Array(3); const U = new Float64Array(3); const V = new Float64Array(3);
  const F = new Uint8Array(3);
  const uv = rig.uv;
  // Picture px centre u lies at (u + 0.5) / 2^level − 0.5 on the level's grid.
  const k = 1 / (1 << level); const off = 0.5 * k - 0.5;
  const hiders = hiderVertexOf(rig);
  const rest = rig.rest;
  const draw = (tris: Uint32Array) => {
    for (const tri of tris) {
      let opacity = 1;
      const h = hiders[tri];
      if (h >= 0) {
        const l = rig.triangles[3 * tri];
        const dx = posed[2 * h] - rest[2 * h] - (posed[2 * l] - rest[2 * l]);
        const dy = posed[2 * h + 1] - rest[2 * h + 1] - (posed[2 * l + 1] - rest[2 * l + 1]);
        opacity = smoothstep(HIDDEN_FROM, HIDDEN_TO, Math.hypot(dx, dy) * transform.scale);
        if (opacity <= 0) continue;
      }
      for (let k3 = 0; k3 < 3; k3++) {
        const vi = rig.triangles[3 * tri + k3];
        X[k3] = place.x(posed[2 * vi]); Y[k3] = place.y(posed[2 * vi + 1]);
        U[k3] = uv[2 * vi] * k + off; V[k3] = uv[2 * vi + 1] * k + off;
        F[k3] = rig.boundaryEdge[3 * tri + k3];
      }
      drawTriangle(target, X, Y, U, V, F, opacity);
    }
  };
  for (const g of o.order) {
    const gi = groupIndex(g);
    const layer = byGroup[gi];
    // Under a layer: its children's round tops (whether the child is drawn in front of it or behind,
    // they show only past the layer's outline, where a turned limb leaves a gap), then what it hid.
    if (hidden && (layer.hidden.length > 0 || layer.childTops.length > 0)) {
      target.tex = hidden.data; target.tw = hidden.width; target.th = hidden.height;
      draw(layer.childTops);
      draw(layer.hidden);
      target.tex = main.data; target.tw = main.width; target.th = main.height;
    }
    draw(layer.own);
  }
}
