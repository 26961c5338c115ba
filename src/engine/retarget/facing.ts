/**
 * Facing over time: per-frame "is the person turned away" readings are noisy (profile views give
 * no answer, single frames flip). A state only changes after the new reading has held for a while.
 */
export function stableFacing(readings: readonly (boolean | null)[], fps: number, holdS = 0.3): boolean[] {
  const n = readings.length;
  const out = new Array<boolean>(n).fill(false);
  if (n === 0) return out;
  const hold = Math.max(1, Math.round(holdS * fps));
  // Initial state: the majority of the readings in the first second (a tie means facing us).
  let away = 0;
  let front = 0;
  for (let i = 0; i < Math.min(n, Math.max(hold, Math.round(fps))); i++) {
    if (readings[i] === true) away++;
    else if (readings[i] === false) front++;
  }
  let state = away > front;
  let candidate = state;
  let run = 0;
  let runStart = 0;
  for (let i = 0; i < n; i++) {
    const r = readings[i];
    if (r !== null && r !== undefined && r !== state) {
      if (r !== candidate || run === 0) {
        candidate = r;
        run = 0;
        runStart = i;
      }
      run++;
      if (run >= hold) {
        // The turn happened when the new reading started; back-fill from there.
        state = candidate;
        for (let k = runStart; k <= i; k++) out[k] = state;
        run = 0;
      }
    } else if (r === state) {
      run = 0;
      candidate = state;
    }
    out[i] = state;
  }
  return out;
}
