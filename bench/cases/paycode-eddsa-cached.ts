// Verify one EdDSA payment code on the terminal, cached credential (see paycode-world.ts).
import { opCached, prepare as prepareWorld, type State } from './paycode-world';

export const prepare = (): State => prepareWorld('EdDSA', true);
export const op = opCached;
