/** Deterministic pseudo-random numbers (mulberry32), so tests that add noise are reproducible. */
export { mulberry32 as rng } from '../../src/engine/geometry/random.js';
