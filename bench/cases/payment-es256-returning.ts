// One ES256 payment end to end, a returning customer (credential cached); see payment-world.ts.
import { payOnce, preparePayment, type PaymentState } from './payment-world';

export const prepare = (): Promise<PaymentState> => preparePayment('ES256', true);
export const op = payOnce;
