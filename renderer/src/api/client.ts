import type {
  EventName,
  EventPayload,
  MethodInput,
  MethodName,
  MethodOutput,
  WorkbenchApi,
} from '#shared/api/contract';
import { type WireMessage, WireMessage as WireMessageSchema } from '#shared/api/wire';

/** An API error as the renderer sees it: the backend's message, code and field. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

declare global {
  interface Window {
    workbench?: WorkbenchApi & { transport?: string; pathForFile?: (file: File) => string };
  }
}

/** Browser mode: the same API over the loopback WebSocket, authenticated by the URL's token. */
export function connectWebSocket(url: string): WorkbenchApi & { transport: string } {
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const queue: string[] = [];
  let socket: WebSocket;
  let open = false;

  const connect = () => {
    socket = new WebSocket(url);
    socket.addEventListener('open', () => {
      open = true;
      for (const m of queue.splice(0)) socket.send(m);
    });
    socket.addEventListener('message', (e) => {
      const parsed = WireMessageSchema.safeParse(JSON.parse(String(e.data)));
      if (!parsed.success) return;
      const msg: WireMessage = parsed.data;
      if (msg.type === 'event') {
        for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
        return;
      }
      if (msg.id === null) return;
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.type === 'result') p.resolve(msg.output);
      else p.reject(new ApiError(msg.error.message, msg.error.code, msg.error.field));
    });
    socket.addEventListener('close', () => {
      open = false;
      for (const [, p] of pending)
        p.reject(new ApiError('Lost the connection to the workbench', 'unavailable'));
      pending.clear();
      setTimeout(connect, 1000);
    });
  };
  connect();

  return {
    transport: 'browser',
    invoke<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
      const id = nextId++;
      const text = JSON.stringify({ id, method, input });
      return new Promise<MethodOutput<M>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        if (open) socket.send(text);
        else queue.push(text);
      });
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (payload: unknown) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (payload: unknown) => void);
    },
  };
}

function wrapElectron(api: WorkbenchApi & { transport?: string }): WorkbenchApi & { transport: string } {
  return {
    transport: 'electron',
    invoke: (method, input) =>
      api.invoke(method, input).catch((e: Error & { code?: string; field?: string }) => {
        throw new ApiError(e.message, e.code ?? 'internal', e.field);
      }),
    on: (event, listener) => api.on(event, listener),
  };
}

/** The workbench API: Electron's preload object when present, else the browser-mode WebSocket. */
export function createApi(): WorkbenchApi & { transport: string } {
  if (window.workbench) return wrapElectron(window.workbench);
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return connectWebSocket(`${proto}//${window.location.host}/api?token=${encodeURIComponent(token)}`);
}
