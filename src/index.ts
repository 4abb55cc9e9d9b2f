/**
 * The firmware core's public API, for embedders and board code: the terminal,
 * where payment codes come from, the GNSS driver, the scanner, and the portable
 * HAL pieces a board wires up. `npm run build:device` bundles this module as
 * `qrpay-core`, which the Moddable manifest preloads.
 */
export { createTerminal, formatAmount } from './terminal/terminal';
export type { CreateTerminalOptions, Terminal, TerminalEvents } from './terminal/terminal';
export type { TerminalConfig, Actuation } from './terminal/config';
export type { Decision, DecisionOutcome } from './terminal/decision';
export { TerminalError, isTerminalError } from './terminal/errors';
export type { TerminalErrorKind } from './terminal/errors';
export { cameraCodeSource } from './terminal/code-source';
export { pinnedAuthorizerKey, provisioningDomain, provisionedAuthorizerKey, provisionedEnrollmentToken, provisioningToken } from './terminal/provisioning';
export { publicKeyFromText, publicKeyToText } from './authorization/signer';
export type { CodeSource, CameraCodeSourceOptions } from './terminal/code-source';
export { purposes } from './authorization/charge';
export type { Charge, Purpose } from './authorization/charge';

export { NmeaLocationSensor } from './location/index';
export { createScanLoop } from './scan/scan-loop';
export { scanFrame, scanLuma } from './scan/scanner';
export { toLuma } from './frame/luma';

// The runtime parts of the HAL contracts and the portable implementations, so
// board code shares one copy of each class with the core (`instanceof HalError`).
export { HalError, isHalError } from '../hal/errors';
export { bytesPerPixel } from '../hal/camera';
export { defaultMaxResponseBytes } from '../hal/http';
export { isValidKey, maxKeyLength } from '../hal/storage';
export { sleep } from '../hal/clock';
export { requireValidKey, requireBytes } from '../hal/portable/key-rules';
export { SoftwareKeystore } from '../hal/portable/software-keystore';
export { DigitalActuator } from '../hal/portable/digital-actuator';
export type * from '../hal/index';
