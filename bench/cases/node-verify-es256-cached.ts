// Node crypto.verify of a ES256 code's signature only (as with a cached credential). V8 only.
import { nodeVerify, prepareFor, type State } from './node-crypto-verify';

export const prepare = (): State => prepareFor('ES256');
export const op = (s: State): void => nodeVerify(s.code);
