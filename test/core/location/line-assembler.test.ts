import { describe, expect, it } from 'vitest';
import { LineAssembler, MAX_SENTENCE_LENGTH } from '../../../src/location/line-assembler';
import type { RejectionReason } from '../../../src/location/rejection';

function bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

function run(chunks: string[]): { sentences: string[]; rejected: RejectionReason[]; garbage: number } {
  const assembler = new LineAssembler();
  const sentences: string[] = [];
  const rejected: RejectionReason[] = [];
  const sink = { sentence: (b: string) => sentences.push(b), rejected: (r: RejectionReason) => rejected.push(r) };
  for (const chunk of chunks) assembler.push(bytes(chunk), sink);
  return { sentences, rejected, garbage: assembler.garbageBytes };
}

const GGA = '$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n';
const RMC = '$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A\r\n';

describe('line assembler', () => {
  it('assembles lines split at every possible byte', () => {
    const text = GGA + RMC;
    for (let cut = 0; cut <= text.length; cut++) {
      const result = run([text.slice(0, cut), text.slice(cut)]);
      expect(result.sentences).toHaveLength(2);
      expect(result.rejected).toEqual([]);
    }
    expect(run(text.split('')).sentences[1]).toBe(RMC.slice(1, RMC.indexOf('*')));
  });

  it('accepts LF-only line ends and lower-case checksum digits', () => {
    expect(run(['$GPGSA,A,3,04,05,,09,12,,,24,,,,,2.5,1.3,2.1*39\n$GNRMC,,V,,,,,,,,,,N*4d\n']).sentences).toHaveLength(2);
  });

  it('skips and counts binary garbage between sentences', () => {
    const ubx = '\xb5\x62\x01\x07\x5c\x00\x10\x27\x00\x00';
    const result = run([ubx, GGA, '\x00\xff\xfe', RMC]);
    expect(result.sentences).toHaveLength(2);
    expect(result.garbage).toBe(13);
  });

  it('refuses each broken line with its reason and recovers at the next `$`', () => {
    const result = run([
      '$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*48\r\n', // wrong checksum
      '$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,\r\n', // none
      '$GPGGA,123519,4807.038*4\r\n', // one digit
      '$GPGGA,123519,4807.038*4G\r\n', // not hex
      '$GPGGA,1235', GGA, // cut short by a new sentence
      '$GPGGA,123\x01519\r\n', // control byte inside
      '$' + 'A'.repeat(MAX_SENTENCE_LENGTH + 5) + '\r\n',
      RMC,
    ]);
    expect(result.rejected).toEqual(['bad-checksum', 'missing-checksum', 'missing-checksum', 'bad-checksum', 'truncated', 'bad-character', 'overlong']);
    expect(result.sentences).toHaveLength(2);
  });
});
