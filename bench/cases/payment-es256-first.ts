// One ES256 payment end to end, a first-time customer (credential new to the terminal); see payment-world.ts.
import { payOnce, preparePayment, type PaymentState } from './payment-world';

export const prepare = (): Promise<PaymentState> => preparePayment('ES256', false);
export const op = payOnce;
