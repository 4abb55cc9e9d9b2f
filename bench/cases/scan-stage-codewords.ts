// One stage of the payment frame's scan alone (see scan-stage-world.ts): codewords.
import { prepareStages, stages } from './scan-stage-world';

export const prepare = prepareStages;
export const op = stages['codewords'];
