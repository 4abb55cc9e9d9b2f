/**
 * M5Stack CoreS3 (GC0308 camera) as an unlock terminal (boards/esp32/unlock-terminal.ts).
 *
 * Wiring (configurable in manifest.json `config`): GNSS unit on Port C (UART:
 * RX GPIO18, TX GPIO17); relay unit on Port B (GPIO9); no LED or buzzer on
 * free pins, so the status goes to the log (the built-in display is not driven yet).
 */
import { runUnlockTerminal } from '../esp32/unlock-terminal';

runUnlockTerminal({
  model: 'm5stack-cores3',
  board: 'm5stack_cores3',
  indicators: {},
  relayPin: 9,
  gnss: { receive: 18, transmit: 17, port: 1 },
});
