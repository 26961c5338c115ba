/** Debug overlays: the skeleton (lines and dots) and the mesh wireframe, drawn into an RGB canvas. */
import type { Rig } from '../rig/mesh.js';
import { JOINTS, PARENT, boneGroup, groupIndex, type JointPositions } from '../rig/skeleton.js';
import type { RgbCanvas } from './raster.js';

type Rgb = [number, number, number];
// One colour per layer, in PART_GROUPS order (upper and lower parts of a limb in two shades).
const GROUP_COLOURS: Rgb[] = [[255, 255, 255], [255, 220, 0], [0, 200, 255], [0, 110, 160], [255, 80, 200], [160, 40, 120],
  [80, 255, 80], [30, 140, 30], [255, 140, 0], [160, 80, 0]];

function plot(c: RgbCanvas, x: number, y: number, col: Rgb): void {
  if (x < 0 || y < 0 || x >= c.width || y >= c.height) return;
  const o = (y * c.width + x) * 3;
  c.data[o] = col[0]; c.data[o + 1] = col[1]; c.data[o + 2] = col[2];
}

/** Bresenham line between rounded end points. */
export function drawLine(c: RgbCanvas, xa: number, ya: number, xb: number, yb: number, col: Rgb): void {
  if (![xa, ya, xb, yb].every(Number.isFinite)) return;
  let x0 = Math.round(xa); let y0 = Math.round(ya); const x1 = Math.round(xb); const y1 = Math.round(yb);
  const dx = Math.abs(x1 - x0); const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1; const sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  for (let guard = 0; guard < 100_000; guard++) {
    plot(c, x0, y0, col);
    if (x0 === x1 && y0 === y1) return;
    const e2 = 2 * err;
    if (e2 >= dy) { err += dy; x0 += sx; }
    if (e2 <= dx) { err += dx; y0 += sy; }
  }
}

function dot(c: RgbCanvas, x: number, y: number, r: number, col: Rgb): void {
  if (!Number.isFinite(x) || !Number.isFinite(y)) return;
  for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) if (dx * dx + dy * dy <= r * r) plot(c, Math.round(x) + dx, Math.round(y) + dy, col);
}

export function drawSkeleton(canvas: RgbCanvas, joints: JointPositions, o: { color?: Rgb; scale?: number } = {}): void {
  const col = o.color ?? [255, 0, 0];
  const s = o.scale ?? 1;
  for (let i = 1; i < JOINTS.length; i++) {
    const p = PARENT[i];
    drawLine(canvas, joints[2 * p] * s, joints[2 * p + 1] * s, joints[2 * i] * s, joints[2 * i + 1] * s, col);
  }
  const r = Math.max(2, Math.round(Math.min(canvas.width, canvas.height) / 200));
  for (let i = 0; i < JOINTS.length; i++) dot(canvas, joints[2 * i] * s, joints[2 * i + 1] * s, r, col);
}

/** Triangle edges coloured by body-part group; silhouette and contact edges in red. */
export function drawMeshWireframe(canvas: RgbCanvas, rig: Rig, posed: Float32Array, transform?: { scale: number; dx: number; dy: number }): void {
  const t = transform ?? { scale: 1, dx: 0, dy: 0 };
  const px = (v: number) => t.scale * posed[2 * v] + t.dx;
  const py = (v: number) => t.scale * posed[2 * v + 1] + t.dy;
  for (let tri = 0; tri < rig.triangleBone.length; tri++) {
    if (rig.copyKind[tri] !== -1) continue; // hidden-part copies lie under their own layer's triangles
    const col = GROUP_COLOURS[groupIndex(boneGroup(rig.triangleBone[tri]))];
    for (let k = 0; k < 3; k++) {
      const a = rig.triangles[3 * tri + k]; const b = rig.triangles[3 * tri + (k + 1) % 3];
      const edgeCol: Rgb = rig.boundaryEdge[3 * tri + k] === 0 ? col : rig.boundaryEdge[3 * tri + k] === 2 ? [255, 0, 0] : [200, 0, 0];
      drawLine(canvas, px(a), py(a), px(b), py(b), edgeCol);
    }
  }
}
