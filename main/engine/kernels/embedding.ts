import * as tf from '@tensorflow/tfjs-core';

/**
 * Row lookup `table[ids]` whose gradient is a scatter-add of the incoming rows.
 *
 * tf.gather's own gradient goes through UnsortedSegmentSum, which the WebAssembly backend lacks
 * and the JS backend runs at ~18 ms per vocabulary row (FINDINGS.md). tf.scatterND sums rows that
 * share an id, which is exactly the gradient of a lookup, in one pass over the ids.
 *
 * @param table [vocab, dim] float32
 * @param ids   any shape, int32 ids in [0, vocab)
 * @returns     [...ids.shape, dim]
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  const [vocab, dim] = table.shape;
  const outShape = [...ids.shape, dim];
  const lookup = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const t = args[0] as tf.Tensor; // [vocab, dim]
    const save = args[1] as tf.GradSaveFunc;
    const flatIds = tf.reshape(tf.cast(ids, 'int32'), [-1]); // [n]
    // The ids must outlive any tidy around the forward pass: save() keeps a copy for the tape.
    save([flatIds]);
    const value = tf.reshape(tf.gather(t, flatIds), outShape); // [...ids, dim]
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const indices = tf.expandDims(saved[0]!, 1); // [n, 1]
        const updates = tf.reshape(dy, [-1, dim]); // [n, dim]
        return [tf.scatterND(indices, updates, [vocab, dim])]; // [vocab, dim], duplicates summed
      },
    };
  });
  return lookup(table);
}
