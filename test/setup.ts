import fc from 'fast-check';

/**
 * One seed for every randomised test in this run. Set SEED to replay a failure;
 * otherwise a fresh seed is drawn and printed so any failure can be replayed.
 */
const fromEnv = process.env['SEED'];
const seed = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : (Date.now() ^ (process.pid << 8)) >>> 0;
if (!Number.isSafeInteger(seed)) throw new Error(`SEED must be an integer, got ${fromEnv}`);
fc.configureGlobal({ seed, numRuns: Number(process.env['NUM_RUNS'] ?? 100) });
globalThis.__testSeed = seed;
console.log(`[seed] fast-check seed ${seed} (replay with SEED=${seed})`);

declare global {
  var __testSeed: number;
}
