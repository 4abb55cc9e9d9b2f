// Verify one EdDSA payment code, cold credential, issuer key not prepared (plain noble verify for both signatures).
import { opCold, prepare as prepareWorld, type State } from './paycode-world';

export const prepare = (): State => prepareWorld('EdDSA', false, true);
export const op = opCold;
