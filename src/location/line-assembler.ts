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
  private length = 0;
  private inSentence = false;
  private checksum = 0;
  /** Index in `buffer` of the `*`, or -1 before it. */
  private star = -1;
  /** Bytes skipped outside sentences (line ends between sentences are not counted). */
  garbageBytes = 0;

  push(bytes: Uint8Array, sink: LineSink): void {
    const buffer = this.buffer;
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes[i];
      if (!this.inSentence) {
        if (c === DOLLAR) this.start();
        else if (c !== CR && c !== LF) this.garbageBytes++;
        continue;
      }
      if (c === CR || c === LF) {
        this.finish(sink);
      } else if (c === DOLLAR) {
        sink.rejected('truncated', this.text(this.length));
        this.start();
      } else if (c < 0x20 || c > 0x7e) {
        sink.rejected('bad-character');
        this.inSentence = false;
        this.garbageBytes++;
      } else if (this.length === MAX_SENTENCE_LENGTH) {
        sink.rejected('overlong');
        this.inSentence = false;
      } else {
        if (this.star < 0) {
          if (c === STAR) this.star = this.length;
          else this.checksum ^= c;
        }
        buffer[this.length++] = c;
      }
    }
  }

  private start(): void {
    this.inSentence = true;
    this.length = 0;
    this.checksum = 0;
    this.star = -1;
  }

  private text(end: number): string {
    return String.fromCharCode.apply(null, this.buffer.subarray(0, end) as unknown as number[]);
  }

  private finish(sink: LineSink): void {
    this.inSentence = false;
    const star = this.star;
    if (star < 0) {
      sink.rejected('missing-checksum', this.text(this.length));
      return;
    }
    const body = this.text(star);
    if (this.length !== star + 3) {
      sink.rejected('missing-checksum', body);
      return;
    }
    const high = hexValue(this.buffer[star + 1]);
    const low = hexValue(this.buffer[star + 2]);
    if (high < 0 || low < 0 || ((high << 4) | low) !== this.checksum) sink.rejected('bad-checksum', body);
    else sink.sentence(body);
  }
}
