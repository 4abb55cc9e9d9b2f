// Verify one EdDSA payment code of a returning customer at the terminal: the verifier kept, its credential cached and
// its device key prepared in idle time after the first code, as the terminal does (see paycode-world.ts).
import { opReturning, prepareReturning, type ReturningState } from './paycode-world';

export const prepare = (): ReturningState => prepareReturning('EdDSA');
export const op = opReturning;
