/**
 * The GNSS driver: an ECMA-419 Sensor-pattern location sensor over a serial
 * port that speaks NMEA 0183.
 *
 * Bytes → LineAssembler (framing, checksum) → parseSentence (fields) →
 * FixFuser (epochs → fix → sample). Nothing on that path throws: every refused
 * line or field is counted under a typed reason in `stats()` and offered to
 * `onRejected`; the driver keeps reading.
 *
 * The serial option is either a factory (the ECMA-419 way: the driver opens the
 * port with its own `onReadable` and reads when bytes wait) or an open port,
 * which the driver then polls on the clock every `pollInterval` milliseconds.
 */
import type { HalError } from '../../hal/errors';
import type { LocationSample, LocationSensor, LocationSensorOptions } from '../../hal/gnss';
import type { SerialPort } from '../../hal/serial';
import type { Clock, TimerId } from '../../hal/clock';
import { FixFuser } from './fix-fuser';
import { LineAssembler, type LineSink } from './line-assembler';
import { emptyRejectionCounts, type Rejection, type RejectionCounts, type RejectionReason } from './rejection';
import { parseSentence } from './sentences/index';

export const DEFAULT_MAX_AGE_MS = 5000;
export const DEFAULT_POLL_INTERVAL_MS = 100;

export interface NmeaLocationSensorOptions extends LocationSensorOptions {
  /** Called for each refused line or sentence, after it is counted. */
  onRejected?: (rejection: Rejection) => void;
  /** Milliseconds between reads when `serial` is an open port rather than a factory. */
  pollInterval?: number;
}

export interface LocationStats {
  /** Bytes read from the port. */
  bytes: number;
  /** Bytes outside any sentence (binary protocols, noise). */
  garbageBytes: number;
  /** Sentences parsed and used, by type (GGA, RMC, GSA, GNS, GST). */
  accepted: Record<string, number>;
  /** Well-formed sentences the driver has no use for (GSV, VTG, TXT, proprietary…). */
  ignored: number;
  rejected: RejectionCounts;
}

export class NmeaLocationSensor implements LocationSensor {
  private readonly clock: Clock;
  private readonly maxAge: number;
  private readonly port: SerialPort;
  private readonly assembler = new LineAssembler();
  private readonly sink: LineSink = {
    sentence: (body) => this.acceptSentence(body),
    rejected: (reason, sentence) => this.reject(reason, sentence),
  };
  private readonly fuser = new FixFuser();
  private readonly onSample: (() => void) | undefined;
  private readonly onError: ((error: HalError | Error) => void) | undefined;
  private readonly onRejected: ((rejection: Rejection) => void) | undefined;
  private readonly counts = { bytes: 0, ignored: 0, accepted: {} as Record<string, number>, rejected: emptyRejectionCounts() };
  private changed = false;
  private timer: TimerId | undefined;
  private closed = false;

  constructor(options: NmeaLocationSensorOptions) {
    const maxAge = options.maxAge ?? DEFAULT_MAX_AGE_MS;
    const interval = options.pollInterval ?? DEFAULT_POLL_INTERVAL_MS;
    if (!(maxAge >= 0)) throw new RangeError(`maxAge must be a non-negative number of milliseconds, not ${maxAge}`);
    if (!(interval > 0)) throw new RangeError(`pollInterval must be a positive number of milliseconds, not ${interval}`);
    this.clock = options.clock;
    this.maxAge = maxAge;
    this.onSample = options.onSample;
    this.onError = options.onError;
    this.onRejected = options.onRejected;
    const serial = options.serial;
    if (typeof serial === 'function') {
      this.port = serial({ onReadable: () => this.drain(), onError: (error) => this.report(error) });
    } else {
      this.port = serial;
      const poll = (): void => {
        this.drain();
        if (!this.closed) this.timer = this.clock.setTimer(poll, interval);
      };
      this.timer = this.clock.setTimer(poll, interval);
    }
  }

  sample(): LocationSample {
    return this.fuser.sample(this.clock.monotonic(), this.maxAge);
  }

  stats(): LocationStats {
    const accepted: Record<string, number> = {};
    for (const type of Object.keys(this.counts.accepted)) accepted[type] = this.counts.accepted[type];
    const rejected = emptyRejectionCounts();
    for (const reason of Object.keys(rejected) as RejectionReason[]) rejected[reason] = this.counts.rejected[reason];
    return {
      bytes: this.counts.bytes,
      garbageBytes: this.assembler.garbageBytes,
      accepted,
      ignored: this.counts.ignored,
      rejected,
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.port.close();
  }

  /** Reads every waiting byte, then tells `onSample` once if the fix changed. */
  private drain(): void {
    while (!this.closed) {
      let read: ArrayBuffer | undefined;
      try {
        read = this.port.read();
      } catch (error) {
        this.report(error as Error);
        break;
      }
      if (read === undefined || read.byteLength === 0) break;
      this.counts.bytes += read.byteLength;
      this.assembler.push(new Uint8Array(read), this.sink);
    }
    if (this.changed) {
      this.changed = false;
      if (this.onSample) {
        try {
          this.onSample();
        } catch (error) {
          this.report(error as Error);
        }
      }
    }
  }

  /** A checksummed sentence from the line assembler. */
  private acceptSentence(body: string): void {
    const parsed = parseSentence(body);
    if (parsed === undefined) {
      this.counts.ignored++;
    } else if (typeof parsed === 'string') {
      this.reject(parsed, body);
    } else {
      this.counts.accepted[parsed.type] = (this.counts.accepted[parsed.type] ?? 0) + 1;
      if (this.fuser.accept(parsed, this.clock.monotonic())) this.changed = true;
    }
  }

  /** A refused line or sentence: counted, then offered to `onRejected`. */
  private reject(reason: RejectionReason, sentence?: string): void {
    this.counts.rejected[reason]++;
    if (this.onRejected) {
      const rejection: Rejection = sentence === undefined ? { reason } : { reason, sentence };
      try {
        this.onRejected(rejection);
      } catch (error) {
        this.report(error as Error);
      }
    }
  }

  private report(error: HalError | Error): void {
    if (this.onError) this.onError(error);
  }
}
