// Verify one EdDSA payment code on the terminal, cold credential (see paycode-world.ts).
import { opCold, prepare as prepareWorld, type State } from './paycode-world';

export const prepare = (): State => prepareWorld('EdDSA', false);
export const op = opCold;
