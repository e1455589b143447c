/** Opens a store from a serializable description, so child processes can open the parent's store. */

import { postgresStore } from '../../src/store/postgres.js';
import { sqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';

export type StoreSpec = { kind: 'sqlite'; path: string } | { kind: 'postgres'; connectionString: string };

export async function openStore(spec: StoreSpec): Promise<Store> {
  return spec.kind === 'sqlite' ? sqliteStore({ path: spec.path }) : postgresStore({ connectionString: spec.connectionString });
}
