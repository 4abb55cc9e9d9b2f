/**
 * Turns the byte stream of a GNSS UART into NMEA sentences. Bytes arrive in any
 * chunking (a line may be split across reads), and the stream carries things
 * that are not sentences: binary UBX/CASIC frames, boot banners, line noise.
 * Outside a sentence every byte up to the next `$` is skipped and counted as
 * garbage; inside one, a byte that is not printable ASCII, a new `$`, or a line
 * longer than the limit abandons it with a reason. The checksum (XOR of the bytes
 * between `$` and `*`) is computed as the bytes arrive.
 */
import type { RejectionReason } from './rejection';

/** NMEA 0183 allows 82 bytes with `$` and CR LF; some receivers (u-blox GNS, NMEA 4.11 GSV) exceed it a little. */
export const MAX_SENTENCE_LENGTH = 120;

const DOLLAR = 0x24;
const STAR = 0x2a;
const CR = 0x0d;
const LF = 0x0a;

export interface LineSink {
  /** A sentence whose checksum matched: the text between `$` and `*`. */
  sentence(body: string): void;
  rejected(reason: RejectionReason, body?: string): void;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

export class LineAssembler {
  private readonly buffer = new Uint8Array(MAX_SENTENCE_LENGTH);
  /** Bytes of the sentence so far; may pass the buffer's size (the excess is dropped, the line refused). */
  private length = 0;
  private inSentence = false;
  /** XOR of the sentence's printable bytes other than the first `*`, including the ones after it. */
  private checksum = 0;
  /** Index in `buffer` of the first `*`, or -1 before it. */
  private star = -1;
  /** Bytes skipped outside sentences (line ends between sentences are not counted). */
  garbageBytes = 0;

  push(bytes: Uint8Array, sink: LineSink): void {
    // The state lives in locals for the loop, and the common byte (a printable
    // character above `*`) takes one test: per-byte work is what costs on XS
    // (bench/nmea.ts). Runs of garbage are skipped with the native indexOf.
    const buffer = this.buffer;
    let inSentence = this.inSentence;
    let length = this.length;
    let checksum = this.checksum;
    let star = this.star;
    const n = bytes.length;
    for (let i = 0; i < n; i++) {
      if (!inSentence) {
        const dollar = bytes.indexOf(DOLLAR, i);
        const end = dollar < 0 ? n : dollar;
        for (; i < end; i++) if (bytes[i] !== CR && bytes[i] !== LF) this.garbageBytes++;
        if (dollar < 0) break;
        inSentence = true;
        length = 0;
        checksum = 0;
        star = -1;
        continue;
      }
      const c = bytes[i];
      if (c > STAR && c <= 0x7e) {
        // Bytes past the buffer are dropped by the typed array; `length` keeps counting for the overlong check.
        checksum ^= c;
        buffer[length++] = c;
      } else if (c === STAR && star < 0) {
        star = length;
        buffer[length++] = c;
      } else if (c === CR || c === LF) {
        inSentence = false;
        if (length > MAX_SENTENCE_LENGTH) sink.rejected('overlong');
        else this.finish(length, star, checksum, sink);
      } else if (c === DOLLAR) {
        if (length > MAX_SENTENCE_LENGTH) sink.rejected('overlong');
        else sink.rejected('truncated', this.text(length));
        length = 0;
        checksum = 0;
        star = -1;
      } else if (c >= 0x20 && c <= 0x7e) {
        // Printable below `*` (space, `!`, `"`, `#`, `%`…, a second `*`): part of the sentence.
        if (star < 0) checksum ^= c;
        buffer[length++] = c;
      } else {
        sink.rejected('bad-character');
        inSentence = false;
        this.garbageBytes++;
      }
    }
    this.inSentence = inSentence;
    this.length = length;
    this.checksum = checksum;
    this.star = star;
  }

  private text(end: number): string {
    return String.fromCharCode.apply(null, this.buffer.subarray(0, end) as unknown as number[]);
  }

  private finish(length: number, star: number, checksum: number, sink: LineSink): void {
    if (star < 0) {
      sink.rejected('missing-checksum', this.text(length));
      return;
    }
    const body = this.text(star);
    if (length !== star + 3) {
      sink.rejected('missing-checksum', body);
      return;
    }
    const high = this.buffer[star + 1];
    const low = this.buffer[star + 2];
    // The loop XORed the two checksum characters in as well: take them out.
    const sum = checksum ^ high ^ low;
    const expected = (hexValue(high) << 4) | hexValue(low);
    if (hexValue(high) < 0 || hexValue(low) < 0 || expected !== sum) sink.rejected('bad-checksum', body);
    else sink.sentence(body);
  }
}
