export { ENCODINGS, ENCODING_NAMES, type EncodingName } from './encodings.ts';
export { revealsValue } from './reveals-value.ts';
