/**
 * LilyGO T-Camera Plus S3 (OV2640) as an unlock terminal (boards/esp32/unlock-terminal.ts).
 *
 * Wiring (configurable in manifest.json `config`): GNSS module on the expansion
 * header (RX GPIO44, TX GPIO43); relay driver on GPIO47 (GPIO1/2 are the camera's I2C); the status goes to the
 * log (the built-in display is not driven yet).
 */
import { runUnlockTerminal } from '../esp32/unlock-terminal';

runUnlockTerminal({
  model: 'lilygo-t-camera-plus-s3',
  board: 'lilygo_t_camera_plus_s3',
  indicators: {},
  relayPin: 47,
  gnss: { receive: 44, transmit: 43, port: 1 },
});
