import type { EventName, EventPayload } from '#shared/api/contract';

type Listener = (event: EventName, payload: unknown) => void;

/** Fan-out of API events from services to every connected window (IPC or WebSocket). */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const l of this.listeners) {
      try {
        l(event, payload);
      } catch {
        // A broken window must not stop events reaching the others.
      }
    }
  }

  /** Receives every event; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
