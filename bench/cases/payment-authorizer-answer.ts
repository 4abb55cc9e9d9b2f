// The simulated authorizer's part of a bench payment (payment-world.ts): decode the terminal's request, hash it and
// sign the approval (ES256). It runs inside the end-to-end op on XS, but on a device it is the server's work:
// bench/payment.ts takes it off the critical path.
import { preparePayment, type PaymentState } from './payment-world';

export async function prepare(): Promise<{ state: PaymentState; request: Uint8Array }> {
  // A returning customer's world has paid once: its authorizer holds the request that payment sent.
  const state = await preparePayment('ES256', true);
  return { state, request: state.authorizer.lastRequest! };
}

export function op({ state, request }: { state: PaymentState; request: Uint8Array }): void {
  state.authorizer.approve(request);
}
