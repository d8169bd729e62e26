import { Buffer } from 'node:buffer';

/** Where the value starts within a 3-byte base64 group of the surrounding data. */
export type Base64Alignment = 0 | 1 | 2;

export interface Base64Core {
  readonly alignment: Base64Alignment;
  /** Standard alphabet (`+`, `/`); never includes padding. */
  readonly text: string;
}

const ALIGNMENTS: readonly Base64Alignment[] = [0, 1, 2];

/**
 * The part of the base64 encoding of `bytes` that does not depend on the bytes around them,
 * for each of the three offsets at which they can start within a base64 group. A character
 * of base64 carries 6 bits; only characters whose 6 bits all come from `bytes` are stable, so
 * the 1–2 characters at each edge (mixed with neighbouring bytes) are left out. Finding this
 * core in a text finds the value however it was embedded in the encoded data.
 */
export function base64Cores(bytes: Uint8Array): Base64Core[] {
  return ALIGNMENTS.map((alignment) => {
    const encoded = Buffer.concat([Buffer.alloc(alignment), bytes]).toString('base64');
    const firstStableBit = 8 * alignment;
    const endBit = 8 * (alignment + bytes.length);
    const text = encoded.slice(Math.ceil(firstStableBit / 6), Math.floor(endBit / 6));
    return { alignment, text };
  });
}

export function toBase64Url(standard: string): string {
  return standard.replaceAll('+', '-').replaceAll('/', '_');
}
