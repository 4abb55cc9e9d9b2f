/**
 * The simulator demo. Until the authorization spine lands it says what it will
 * do and exits 1 rather than pretend.
 */
export async function run(_args: string[]): Promise<number> {
  console.log(
    [
      'qrpay demo — not built yet. When it is, it will:',
      '  1. start the reference authorizer on 127.0.0.1 with its embedded SQLite database;',
      '  2. boot a simulated terminal, which creates its key and enrolls;',
      '  3. create a wallet, issue a credential and make a payment code;',
      '  4. show the code to the simulated camera, scan, verify, sign and forward it;',
      '  5. verify the signed decision and fire the actuator;',
      '  6. show the same code again and watch it declined as a replay.',
    ].join('\n'),
  );
  return 1;
}
