/**
 * A serial port that plays a script of bytes on the Clock HAL, the way a UART
 * delivers them: each step's bytes arrive at their time, cut into irregular
 * chunks (a FIFO threshold, an idle timeout) spaced by the time the bytes take
 * on the wire at the configured baud rate. Plain ECMAScript: usable in XS tests
 * and on a board as a stand-in receiver.
 *
 * The script is pulled lazily from an iterable, so a generated track can run
 * forever. Chunk sizes come from a seeded generator: the same seed gives the
 * same chunking (these are test patterns, not secrets).
 */
import type { Clock, TimerId } from '../clock';
import { HalError } from '../errors';
import type { SerialFactory, SerialOptions, SerialPort } from '../serial';

export interface ScriptStep {
  /** Milliseconds after the port opens. Steps must come in time order. */
  at: number;
  data: Uint8Array | string;
}

export interface ScriptedSerialOptions {
  clock: Clock;
  script: Iterable<ScriptStep>;
  /** Bits per second on the simulated wire (8N1: 10 bits a byte). Default 9600. */
  baud?: number;
  /** Chunk sizes are drawn between these (inclusive). Default 1 and 64. */
  minChunk?: number;
  maxChunk?: number;
  seed?: number;
}

/** xorshift32: a tiny deterministic generator for chunk sizes. */
function generator(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}

function bytesOf(data: Uint8Array | string): Uint8Array {
  if (typeof data !== 'string') return data;
  const bytes = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i) & 0xff;
  return bytes;
}

class ScriptedSerialPort implements SerialPort {
  private readonly steps: Iterator<ScriptStep>;
  private readonly random: () => number;
  private readonly msPerByte: number;
  private readonly opened: number;
  /** Bytes that have "arrived" and wait to be read. */
  private waiting: Uint8Array[] = [];
  private waitingBytes = 0;
  /** The step being put on the wire, and how far. */
  private current: Uint8Array | undefined;
  private offset = 0;
  private timer: TimerId | undefined;
  private closed = false;

  constructor(private readonly config: ScriptedSerialOptions, private readonly options: SerialOptions) {
    this.steps = config.script[Symbol.iterator]();
    this.random = generator(config.seed ?? 1);
    this.msPerByte = 10_000 / (config.baud ?? 9600);
    this.opened = config.clock.monotonic();
    this.scheduleNextStep();
  }

  read(byteLength?: number): ArrayBuffer | undefined {
    if (this.closed) throw new HalError('closed', 'serial port is closed');
    if (this.waitingBytes === 0) return undefined;
    const count = byteLength === undefined ? this.waitingBytes : Math.min(byteLength, this.waitingBytes);
    const out = new Uint8Array(count);
    let filled = 0;
    while (filled < count) {
      const head = this.waiting[0];
      const take = Math.min(head.length, count - filled);
      out.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.length) this.waiting.shift();
      else this.waiting[0] = head.subarray(take);
    }
    this.waitingBytes -= count;
    return out.buffer;
  }

  write(_data: ArrayBuffer | Uint8Array): void {
    // The scripted receiver does not listen (a real one would take UBX/PMTK configuration).
    if (this.closed) throw new HalError('closed', 'serial port is closed');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) this.config.clock.clearTimer(this.timer);
    this.waiting = [];
    this.waitingBytes = 0;
  }

  private scheduleNextStep(): void {
    const next = this.steps.next();
    if (next.done) return;
    const step = next.value;
    const delay = Math.max(0, this.opened + step.at - this.config.clock.monotonic());
    this.timer = this.config.clock.setTimer(() => {
      this.current = bytesOf(step.data);
      this.offset = 0;
      this.deliverChunk();
    }, delay);
  }

  private deliverChunk(): void {
    const data = this.current as Uint8Array;
    const min = this.config.minChunk ?? 1;
    const max = this.config.maxChunk ?? 64;
    const size = Math.min(data.length - this.offset, min + Math.floor(this.random() * (max - min + 1)));
    const chunk = data.subarray(this.offset, this.offset + size);
    this.offset += size;
    this.timer = this.config.clock.setTimer(() => {
      this.waiting.push(chunk);
      this.waitingBytes += chunk.length;
      if (this.offset < data.length) this.deliverChunk();
      else this.scheduleNextStep();
      if (this.options.onReadable && chunk.length > 0) this.options.onReadable(this.waitingBytes);
    }, size * this.msPerByte);
  }
}

/**
 * A factory for ports that play `config.script`. Each port opened asks the script for a new iterator: an
 * array plays again from its start, a generator continues where the last port left it.
 */
export function scriptedSerial(config: ScriptedSerialOptions): SerialFactory {
  return (options: SerialOptions) => new ScriptedSerialPort(config, options);
}
