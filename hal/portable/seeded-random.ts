/**
 * xorshift32: a tiny deterministic generator in [0, 1), so simulations and
 * portable tests repeat exactly on every engine. Not for anything secret.
 * A zero seed (xorshift's fixed point) is replaced by `zeroSeed`.
 */
export function seededRandom(seed: number, zeroSeed = 1): () => number {
  let state = seed >>> 0 || zeroSeed;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}
