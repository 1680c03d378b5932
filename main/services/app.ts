import { LATEST_VERSION } from '#db/connection';
import { describeBackends } from '#main/jobs/backends';
import { PRODUCT_NAME } from '#shared/product';
import type { Handlers } from './handler';

/** `app.*`: facts about this installation. */
export const appHandlers: Handlers<'app.info'> = {
  'app.info': async (_input, ctx) => ({
    name: PRODUCT_NAME,
    version: ctx.version,
    dataFolder: ctx.home.root,
    databaseFile: ctx.home.databaseFile,
    schemaVersion: LATEST_VERSION,
    transport: ctx.transport,
    backends: await describeBackends(),
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
  }),
};
