/**
 * The simulator's keystore: the software keystore over a directory storage
 * domain, so terminal keys survive restarts the way they survive reboots in
 * a device's NVS. Key files are written owner-only (0600).
 */
import type { Entropy } from '../entropy';
import { SoftwareKeystore } from '../portable/software-keystore';
import { DirectoryStorage } from './directory-storage';
import type { PowerCutOptions } from './power-switch';

export interface FileKeystoreOptions {
  /** Directory holding the key domain; keep it apart from the application's storage. */
  directory: string;
  entropy: Entropy;
  /** Domain (folder) name. Default 'keys'. */
  domain?: string;
  powerCut?: PowerCutOptions;
}

export function createFileKeystore(options: FileKeystoreOptions): SoftwareKeystore {
  const storage = new DirectoryStorage({ directory: options.directory, fileMode: 0o600, powerCut: options.powerCut });
  return new SoftwareKeystore({ store: storage.open({ path: options.domain ?? 'keys' }), entropy: options.entropy });
}
