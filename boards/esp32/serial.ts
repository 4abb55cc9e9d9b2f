/** The GNSS UART over `embedded:io/serial`, delivering bytes as the FIFO fills. */
import Serial from 'embedded:io/serial';
import type { SerialFactory } from '../../hal/serial';

export function createEsp32Serial(pins: { receive: number; transmit?: number; port: number }): SerialFactory {
  return (options) => {
    const uart = new Serial({
      receive: pins.receive,
      transmit: pins.transmit,
      port: pins.port,
      baud: options.baud ?? 9600,
      format: 'buffer',
      onReadable: (count) => options.onReadable?.(count),
    } as ConstructorParameters<typeof Serial>[0]);
    return {
      read: (byteLength?: number) => (byteLength === undefined ? (uart.read() as ArrayBuffer | undefined) : uart.read(byteLength)),
      write: (data) => uart.write(data),
      close: () => uart.close(),
    };
  };
}
