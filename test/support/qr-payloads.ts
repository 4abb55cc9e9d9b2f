/**
 * Payment-code-like texts that fill a chosen share of a QR symbol, so grid
 * decoder tests exercise every block of the layout. Pure ECMAScript.
 */
import { blockLayout, type EcLevel } from '../../src/scan/decode/ec-blocks';

const base45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

/** `QP1:` + base45 characters, about `share` of the alphanumeric capacity of (version, level). */
export function paymentText(version: number, level: EcLevel, share: number, seed = version): string {
  const { dataPerBlock } = blockLayout(version, level);
  let data = 0;
  for (const d of dataPerBlock) data += d;
  const countBits = version <= 9 ? 9 : version <= 26 ? 11 : 13;
  // A single alphanumeric segment: 11 bits per two characters after the header.
  const capacity = Math.floor(((data * 8 - 4 - countBits) * 2) / 11);
  const length = Math.max(4, Math.floor(capacity * share));
  let text = 'QP1:';
  for (let i = 4; i < length; i++) text += base45[(i * 7 + seed * 13) % 45];
  return text;
}
