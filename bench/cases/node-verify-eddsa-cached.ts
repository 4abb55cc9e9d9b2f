// Node crypto.verify of a EdDSA code's signature only (as with a cached credential). V8 only.
import { nodeVerify, prepareFor, type State } from './node-crypto-verify';

export const prepare = (): State => prepareFor('EdDSA');
export const op = (s: State): void => nodeVerify(s.code);
