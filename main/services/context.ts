import type { Store } from '#db/store';
import type { DataHome } from './data-home';
import type { EventBus } from './event-bus';

/** Everything a service handler may use. One per open data folder. */
export interface ServiceContext {
  readonly store: Store;
  readonly home: DataHome;
  readonly events: EventBus;
  readonly transport: 'electron' | 'browser';
  readonly version: string;
}
