export { SecretMasker, type MaskerOptions } from './secret-masker.ts';
export { StreamMasker } from './stream-masker.ts';
export {
  ANCHOR_LENGTH,
  DEFAULT_MAX_BYTES,
  MaskingBudgetError,
  SecretSet,
  type SecretSetOptions,
} from './secret-set.ts';
export { MIN_SECRET_LENGTH, secretValues } from './secret-values.ts';
export { secretForms, type SecretEncoding, type SecretForm } from './secret-forms.ts';
export { MASK } from './masking-scan.ts';
