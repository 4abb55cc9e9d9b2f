/**
 * Seeed XIAO ESP32S3 Sense (OV2640) as an unlock terminal (boards/esp32/unlock-terminal.ts).
 *
 * Wiring (configurable in manifest.json `config`): GNSS module TX → D7 (GPIO44),
 * RX ← D6 (GPIO43) at 9600 baud; relay driver on D0 (GPIO1); active-high buzzer on
 * D1 (GPIO2); the user LED (GPIO21, lit on 0) shows the status.
 *
 * Trust: the authorizer key is pinned and the authorizer reached over https only
 * (see ../esp32/unlock-terminal.ts).
 */
import { runUnlockTerminal } from '../esp32/unlock-terminal';

runUnlockTerminal({
  model: 'xiao-esp32s3-sense',
  board: 'xiao_esp32s3_sense',
  indicators: { led: 21, ledActiveLow: true, buzzer: 2 },
  relayPin: 1,
  gnss: { receive: 44, transmit: 43, port: 1 },
});
