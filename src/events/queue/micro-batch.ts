// Groups calls made in the same turn of the event loop into one call of `run`: a consumer handling
// 64 deliveries at once makes one query for them instead of 64 (the relay's batches arrive together).

export type Batched<I, O> = (item: I) => Promise<O>;

/**
 * `run` gets the items gathered since the last flush (at most `maxSize`) and returns one result per
 * item, in order; when it throws, every caller of that batch gets the error.
 */
export function microBatch<I, O>(run: (items: I[]) => Promise<O[]>, maxSize = 500): Batched<I, O> {
  let pending: { item: I; resolve: (value: O) => void; reject: (error: unknown) => void }[] = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    while (pending.length > 0) {
      const batch = pending.slice(0, maxSize);
      pending = pending.slice(batch.length);
      const items = batch.map((p) => p.item);
      // Through a promise so a synchronous throw in `run` reaches the callers too.
      Promise.resolve(items)
        .then(run)
        .then(
          (results) => {
            batch.forEach((p, i) => {
              p.resolve(results[i] as O);
            });
          },
          (error: unknown) => {
            for (const p of batch) p.reject(error);
          },
        );
    }
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        // setImmediate, not a microtask: deliveries parsed from one socket read all arrive first.
        setImmediate(flush);
      }
    });
}
