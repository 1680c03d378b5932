import { openStore } from '#db/store';
import type { ServiceContext } from './context';
import { type DataHome, prepareDataHome } from './data-home';
import { EventBus } from './event-bus';
import { APP_VERSION } from './version';

/** Opens a data folder: prepares it, opens the store, wires the event bus. */
export function openWorkbench(
  root: string,
  transport: ServiceContext['transport'],
): ServiceContext & {
  close(): void;
} {
  const home: DataHome = prepareDataHome(root);
  const store = openStore(home.databaseFile);
  return {
    store,
    home,
    events: new EventBus(),
    transport,
    version: APP_VERSION,
    close: () => store.close(),
  };
}
