// Node crypto.verify of a ES256 credential's and code's signatures (as with a cold credential). V8 only.
import { nodeVerify, prepareFor, type State } from './node-crypto-verify';

export const prepare = (): State => prepareFor('ES256');
export function op(s: State): void {
  nodeVerify(s.credential);
  nodeVerify(s.code);
}
