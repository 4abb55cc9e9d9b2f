// Verify one ES256 payment code on the terminal, cold credential (see paycode-world.ts).
import { opCold, prepare as prepareWorld, type State } from './paycode-world';

export const prepare = (): State => prepareWorld('ES256', false);
export const op = opCold;
