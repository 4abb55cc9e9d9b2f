/** CRC-32 (IEEE) on Node and XS: the standard check value, in parts as in one, and one flipped bit changes it. */
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../src/codec/crc32';

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

describe('crc32', () => {
  it('gives the standard check value of "123456789", in parts too', () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32(ascii('1234'), ascii('56789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('changes with any one flipped bit', () => {
    const data = ascii('the offline journal entry');
    const good = crc32(data);
    for (let bit = 0; bit < data.length * 8; bit += 5) {
      const flipped = data.slice();
      flipped[bit >> 3] ^= 1 << (bit & 7);
      expect(crc32(flipped)).not.toBe(good);
    }
  });
});
