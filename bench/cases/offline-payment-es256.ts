// One payment approved offline end to end through the public API, ES256, a returning customer; see offline-world.ts.
import { payOffline, prepareOfflinePayment } from './offline-world';

export const prepare = prepareOfflinePayment;
export const op = payOffline;
