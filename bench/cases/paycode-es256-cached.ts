// Verify one ES256 payment code on the terminal, cached credential (see paycode-world.ts).
import { opCached, prepare as prepareWorld, type State } from './paycode-world';

export const prepare = (): State => prepareWorld('ES256', true);
export const op = opCached;
