/** The GNSS location driver: NMEA 0183 over a serial port → `LocationSample`. */
export { NmeaLocationSensor, DEFAULT_MAX_AGE_MS, DEFAULT_POLL_INTERVAL_MS } from './nmea-location-sensor';
export type { NmeaLocationSensorOptions, LocationStats } from './nmea-location-sensor';
export { LineAssembler, MAX_SENTENCE_LENGTH } from './line-assembler';
export { parseSentence, GNSS_TALKERS } from './sentences/index';
export type { NmeaSentence, Solution } from './sentences/index';
export { FixFuser } from './fix-fuser';
export { UERE_METRES, accuracyFromGst, accuracyFromHdop } from './accuracy';
export { rejectionReasons } from './rejection';
export type { Rejection, RejectionReason, RejectionCounts } from './rejection';
