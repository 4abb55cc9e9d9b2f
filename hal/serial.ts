/**
 * A UART, in the ECMA-419 Serial shape (`embedded:io/serial`): bytes arrive in
 * whatever chunks the driver's FIFO delivers; `onReadable` says how many are waiting.
 */
import type { HalError } from './errors';

export interface SerialOptions {
  baud?: number;
  onReadable?: (count: number) => void;
  onWritable?: (count: number) => void;
  onError?: (error: HalError) => void;
}

export interface SerialPort {
  /** Up to `byteLength` waiting bytes (all of them when omitted), or undefined when none wait. */
  read(byteLength?: number): ArrayBuffer | undefined;
  write(data: ArrayBuffer | Uint8Array): void;
  close(): void;
}

export type SerialFactory = (options: SerialOptions) => SerialPort;
