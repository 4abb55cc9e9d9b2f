/**
 * Reed-Solomon error correction for one QR block (ISO/IEC 18004 section 7.5.2):
 * codewords c[0..n-1] are the coefficients of c(x) = c[0] x^(n-1) + ... + c[n-1],
 * a multiple of the generator g(x) = (x - 2^0)(x - 2^1)...(x - 2^(e-1)).
 *
 * Syndromes S_j = c(2^j); Berlekamp-Massey for the error locator; Chien search
 * for its roots; Forney for the error values. A block whose syndromes are all
 * zero costs only the syndromes. Anything that does not add up (more errors
 * than allowed, locator roots that do not match its degree, an error outside
 * the block) is a refusal, never a guess.
 */
import { div, exp, log, maxEcPerBlock, mul, timesPower } from './gf256';

/**
 * Corrects `block` (data then `ecCount` error-correction codewords) in place.
 * Returns the number of codewords corrected, or -1 when the block has more
 * than `maxErrors` errors (or cannot be corrected at all). `maxErrors` is at
 * most floor(ecCount / 2); QR reserves some codewords of the smallest symbols
 * for misdecode protection, so the caller may pass less.
 */
export function correctBlock(block: Uint8Array, ecCount: number, maxErrors: number): number {
  const n = block.length;
  if (ecCount > maxEcPerBlock) return -1;
  const syndromes = new Uint8Array(ecCount);
  // Horner's rule at x = 2^j, eight syndromes a pass over the block, then four, then one (each codeword read
  // once a pass; on XS the read and the loop cost more than a table step).
  let j = 0;
  for (; j + 8 <= ecCount; j += 8) {
    const o0 = 256 * j;
    const o1 = o0 + 256;
    const o2 = o1 + 256;
    const o3 = o2 + 256;
    const o4 = o3 + 256;
    const o5 = o4 + 256;
    const o6 = o5 + 256;
    const o7 = o6 + 256;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let s5 = 0;
    let s6 = 0;
    let s7 = 0;
    for (let i = 0; i < n; i++) {
      const c = block[i];
      s0 = timesPower[o0 + s0] ^ c;
      s1 = timesPower[o1 + s1] ^ c;
      s2 = timesPower[o2 + s2] ^ c;
      s3 = timesPower[o3 + s3] ^ c;
      s4 = timesPower[o4 + s4] ^ c;
      s5 = timesPower[o5 + s5] ^ c;
      s6 = timesPower[o6 + s6] ^ c;
      s7 = timesPower[o7 + s7] ^ c;
    }
    syndromes[j] = s0;
    syndromes[j + 1] = s1;
    syndromes[j + 2] = s2;
    syndromes[j + 3] = s3;
    syndromes[j + 4] = s4;
    syndromes[j + 5] = s5;
    syndromes[j + 6] = s6;
    syndromes[j + 7] = s7;
  }
  for (; j + 4 <= ecCount; j += 4) {
    const o0 = 256 * j;
    const o1 = o0 + 256;
    const o2 = o1 + 256;
    const o3 = o2 + 256;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < n; i++) {
      const c = block[i];
      s0 = timesPower[o0 + s0] ^ c;
      s1 = timesPower[o1 + s1] ^ c;
      s2 = timesPower[o2 + s2] ^ c;
      s3 = timesPower[o3 + s3] ^ c;
    }
    syndromes[j] = s0;
    syndromes[j + 1] = s1;
    syndromes[j + 2] = s2;
    syndromes[j + 3] = s3;
  }
  for (; j < ecCount; j++) {
    const times = 256 * j;
    let s = 0;
    for (let i = 0; i < n; i++) s = timesPower[times + s] ^ block[i];
    syndromes[j] = s;
  }
  let clean = true;
  for (let k = 0; k < ecCount; k++) if (syndromes[k] !== 0) clean = false;
  if (clean) return 0;
  if (maxErrors <= 0) return -1;

  // Berlekamp-Massey: the shortest LFSR sigma(x) = 1 + s1 x + ... generating the syndromes.
  let sigma = [1];
  let previous = [1];
  let errors = 0;
  let shift = 1;
  let lastDiscrepancy = 1;
  for (let k = 0; k < ecCount; k++) {
    let discrepancy = syndromes[k];
    for (let i = 1; i <= errors; i++) discrepancy ^= mul(sigma[i] ?? 0, syndromes[k - i]);
    if (discrepancy === 0) {
      shift++;
      continue;
    }
    const factor = div(discrepancy, lastDiscrepancy);
    const next = sigma.slice();
    for (let i = 0; i < previous.length; i++) {
      const at = i + shift;
      while (next.length <= at) next.push(0);
      next[at] ^= mul(factor, previous[i]);
    }
    if (2 * errors <= k) {
      previous = sigma;
      errors = k + 1 - errors;
      lastDiscrepancy = discrepancy;
      shift = 1;
    } else {
      shift++;
    }
    sigma = next;
  }
  while (sigma.length > 1 && sigma[sigma.length - 1] === 0) sigma.pop();
  if (errors > maxErrors || sigma.length - 1 !== errors) return -1;

  // Chien search: the error at position p (power n-1-p of x) has locator X = 2^(n-1-p), a root of sigma at X^-1.
  const positions: number[] = [];
  for (let power = 0; power < n; power++) {
    const inverse = (255 - power) % 255;
    let value = 0;
    for (let i = sigma.length - 1; i >= 0; i--) value = (value === 0 ? 0 : exp[log[value] + inverse]) ^ sigma[i];
    if (value === 0) positions.push(power);
  }
  // Roots beyond the block, or fewer than the degree: too many errors to locate.
  if (positions.length !== errors) return -1;

  // Forney: e = X * omega(X^-1) / sigma'(X^-1) with omega = S(x) sigma(x) mod x^ecCount (first syndrome S_0).
  const omega = new Uint8Array(errors);
  for (let i = 0; i < errors; i++) {
    let v = 0;
    for (let j = 0; j <= i; j++) v ^= mul(syndromes[i - j], sigma[j]);
    omega[i] = v;
  }
  for (const power of positions) {
    const inverse = (255 - power) % 255;
    let numerator = 0;
    for (let i = omega.length - 1; i >= 0; i--) numerator = (numerator === 0 ? 0 : exp[log[numerator] + inverse]) ^ omega[i];
    // Formal derivative: only odd powers survive in characteristic 2.
    let denominator = 0;
    for (let i = 1; i < sigma.length; i += 2) {
      const term = sigma[i];
      if (term !== 0) denominator ^= exp[log[term] + ((inverse * (i - 1)) % 255)];
    }
    if (denominator === 0) return -1;
    // With syndromes starting at 2^0 the magnitude carries one extra factor X.
    const magnitude = mul(exp[power], div(numerator, denominator));
    block[n - 1 - power] ^= magnitude;
  }
  return errors;
}
