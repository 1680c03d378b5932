/** Why a database file could not be opened; the message names the file and what to do. */
export class StoreOpenError extends Error {
  constructor(
    readonly kind: 'not_sqlite' | 'corrupt' | 'too_new' | 'not_writable' | 'migration_failed',
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'StoreOpenError';
  }
}
