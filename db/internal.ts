import type { Db } from './connection';

// The connection behind each open store, for the few db/ modules that need SQL across
// repositories (an export ATTACHes a second file). Lint keeps this module inside db/.
const connections = new WeakMap<object, Db>();

/** Records the connection of a store (openStore does). */
export function registerConnection(store: object, db: Db): void {
  connections.set(store, db);
}

/** The connection of an open store. */
export function connectionOf(store: object): Db {
  const db = connections.get(store);
  if (!db) throw new Error('not a store opened by openStore');
  return db;
}
