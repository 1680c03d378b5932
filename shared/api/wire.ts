import { z } from 'zod';
import { ApiErrorPayload } from './errors';

/** A request over the browser-mode WebSocket. */
export const WireRequest = z.object({
  id: z.number().int(),
  method: z.string(),
  input: z.unknown(),
});
export type WireRequest = z.infer<typeof WireRequest>;

/** A reply, or a pushed event, over the browser-mode WebSocket. */
export const WireMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('result'), id: z.number().int(), output: z.unknown() }),
  z.object({ type: z.literal('error'), id: z.number().int().nullable(), error: ApiErrorPayload }),
  z.object({ type: z.literal('event'), event: z.string(), payload: z.unknown() }),
]);
export type WireMessage = z.infer<typeof WireMessage>;
