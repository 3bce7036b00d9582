/** Groups items into arrays of `size` (the last one may be shorter), e.g. rows for `Queue.addBulk`. */
export async function* inChunks<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[], void> {
  if (!Number.isSafeInteger(size) || size < 1)
    throw new RangeError(`chunk size must be a positive integer (got ${size})`);
  let chunk: T[] = [];
  for await (const item of items) {
    chunk.push(item);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
