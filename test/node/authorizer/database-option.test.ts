/**
 * `--database` and `--workers` on the authorizer's and the operator's command
 * lines: anything but a PostgreSQL URL, and a worker count out of range, are
 * refused with a clear message and exit 2 before anything is opened.
 */
import { describe, expect, it } from 'vitest';
import { run as authorizer } from '../../../tools/cli/authorizer';
import { run as operator } from '../../../tools/operator/cli';
import { composeAuthorizer, DatabaseUrlError } from '../../../tools/authorizer/composition';
import { captureConsole } from '../../support/capture-console';

describe('--database and --workers', () => {
  it.each(['sqlite:///tmp/x.db', 'mysql://root@localhost/qrpay', '/var/lib/qrpay', ''])('the authorizer refuses --database %j', async (url) => {
    const result = await captureConsole(() => authorizer(['--database', url, '--port', '0']));
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/--database must be a postgres:\/\/ or postgresql:\/\/ URL/);
  });

  it('does not echo a password from a refused URL', async () => {
    const result = await captureConsole(() => authorizer(['--database', 'mysql://admin:hunter2@db/qrpay']));
    expect(result.code).toBe(2);
    expect(result.err).not.toContain('hunter2');
  });

  it.each(['0', '65', '1.5', 'two'])('the authorizer refuses --workers %s', async (workers) => {
    const result = await captureConsole(() => authorizer(['--workers', workers, '--port', '0']));
    expect(result).toMatchObject({ code: 2, err: expect.stringContaining(`--workers must be 1-64, got ${workers}`) });
  });

  it('the operator refuses a --database that is not PostgreSQL', async () => {
    const result = await captureConsole(() => operator(['terminals', '--database', 'sqlite:///tmp/x.db']));
    expect(result).toMatchObject({ code: 2, err: expect.stringMatching(/--database must be a postgres:\/\//) });
  });

  it('the composition root refuses it with a typed error', async () => {
    const composed = composeAuthorizer({ dataDir: ':memory:', database: 'redis://localhost' });
    await expect(composed).rejects.toBeInstanceOf(DatabaseUrlError);
    await expect(composed).rejects.toMatchObject({ name: 'DatabaseUrlError' });
  });
});
