/** 0 at and below e0, 1 at and above e1, the cubic Hermite step between (e0 < e1). */
export function smoothstep(e0: number, e1: number, x: number): number {
  const t = Math.max(0, Math.min(1, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
}
