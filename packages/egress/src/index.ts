export {
  EgressPolicy,
  DestinationNotAllowed,
  isDestinationNotAllowed,
  systemResolver,
  type EgressSubject,
  type EgressSettings,
  type EgressDecision,
  type Resolver,
} from './egress-policy.ts';
export { egressSettings } from './egress-settings.ts';
export {
  parseAllowList,
  parseAllowEntry,
  ALLOW_LIST_PATTERN,
  ALLOW_LIST_HINT,
  type AllowEntry,
} from './allow-list.ts';
export {
  classifyAddress,
  METADATA_NAMES,
  type AddressClass,
  type AddressKind,
} from './address-ranges.ts';
export { parseIp, formatIp, type IpAddress } from './ip-address.ts';
export { checkedLookup, type DestinationCheck } from './checked-lookup.ts';
