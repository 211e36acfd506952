/** Everything a terminal showed, for download; past `limit` bytes the oldest chunks go. */
export class Transcript {
  #chunks: Uint8Array[] = [];
  #bytes = 0;

  constructor(private readonly limit = 16 * 1024 * 1024) {}

  add(bytes: Uint8Array): void {
    this.#chunks.push(bytes.slice());
    this.#bytes += bytes.length;
    while (this.#bytes > this.limit && this.#chunks.length > 1) this.#bytes -= this.#chunks.shift()!.length;
  }

  get size(): number {
    return this.#bytes;
  }

  /** The raw bytes, escape sequences included, as `script` would record them. */
  blob(): Blob {
    return new Blob(this.#chunks as BlobPart[], { type: 'text/plain' });
  }
}
