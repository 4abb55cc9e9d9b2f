// Verify one ES256 payment code of a returning customer at the terminal: the verifier kept, its credential cached and
// (ES256) its device key prepared in idle time after the first code, as the terminal does (see paycode-world.ts).
import { opReturning, prepareReturning, type ReturningState } from './paycode-world';

export const prepare = (): ReturningState => prepareReturning('ES256');
export const op = opReturning;
