import * as nodeModule from 'node:module';
import * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs-core's package entry registers no gradients and no chained ops (`t.reshape(...)`): the
 * union package @tensorflow/tfjs normally does. Its ESM files do it, but they import their
 * siblings without file extensions, which bundlers (Vite, Vitest) accept and Node's own ESM
 * loader (tsx, plain node) rejects. Under Node we add a resolve hook that retries such
 * specifiers inside @tensorflow/* with '.js'.
 *
 * Under Node this loads a second copy of tfjs-core's internals next to the CommonJS one. That is
 * safe because tfjs keeps its engine, kernel and gradient registries and the Tensor class on the
 * global object, and `instanceof Tensor` is duck-typed for exactly this case.
 */
const HOOK = `
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    const parent = context.parentURL ?? '';
    if (specifier.startsWith('.') && !specifier.endsWith('.js') && parent.includes('/@tensorflow/')) {
      return next(specifier + '.js', context);
    }
    throw err;
  }
}`;

let done: Promise<void> | undefined;

function installResolveHook(): void {
  const register = (nodeModule as { register?: (url: string, parent?: string) => void }).register;
  if (typeof register !== 'function') return;
  register(`data:text/javascript,${encodeURIComponent(HOOK)}`, import.meta.url);
}

async function load(): Promise<void> {
  if (tf.getGradient(tf.Sum) !== undefined) return;
  installResolveHook();
  await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  await import('@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js');
  if (tf.getGradient(tf.Sum) === undefined) throw new Error('tfjs gradients did not register');
}

/** Registers tfjs-core's gradients and chained ops once per process. */
export function registerGradients(): Promise<void> {
  done ??= load();
  return done;
}
