// The scan stage of the ES256 payment benchmark alone: the same frame (the payment code in view) through the scanner.
import { scanLuma } from '../../src/scan/scanner';
import { preparePayment, type PaymentState } from './payment-world';

export const prepare = (): Promise<PaymentState> => preparePayment('ES256', false);

export function op(state: PaymentState): void {
  const result = scanLuma(state.frames[0]);
  if (result.kind !== 'code' || result.text !== state.texts[0]) throw new Error('expected the payment code');
}
