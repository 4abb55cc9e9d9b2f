// Node crypto.verify of a EdDSA credential's and code's signatures (as with a cold credential). V8 only.
import { nodeVerify, prepareFor, type State } from './node-crypto-verify';

export const prepare = (): State => prepareFor('EdDSA');
export function op(s: State): void {
  nodeVerify(s.credential);
  nodeVerify(s.code);
}
