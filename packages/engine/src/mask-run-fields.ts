import type { SecretMasker } from '@cronium/log-masking';

/**
 * A JSON value with every string in it (keys included) masked: the result of an HTTP event
 * (its body and headers), the output a script sets through the runtime API.
 */
export function maskJson<T>(masker: SecretMasker, value: T): T {
  if (typeof value === 'string') return masker.maskLine(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => maskJson(masker, item)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [masker.maskLine(key), maskJson(masker, item)]),
    ) as T;
  return value;
}
