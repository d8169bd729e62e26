import { env, type EnvField } from './env-schema.ts';
import { DEFAULT_HOST, type ServiceAddress } from './service-addresses.js';

/**
 * The schema fields of a process's listen address, named and defaulted by its entry in
 * SERVICE_ADDRESSES, so the apps, the launcher and the health check cannot disagree on a
 * variable or a default. A process that only needs to reach another (web the ws process, the
 * orchestrator the runtime API) reads the other's fields, with a description of its own.
 */
export function serviceHostEnv<A extends ServiceAddress>(
  address: A,
  description: string,
): Record<A['hostVariable'], EnvField<string>> {
  return { [address.hostVariable]: env.string({ default: DEFAULT_HOST, description }) } as Record<
    A['hostVariable'],
    EnvField<string>
  >;
}

export function servicePortEnv<A extends ServiceAddress>(
  address: A,
  description: string,
): Record<A['portVariable'], EnvField<number>> {
  return {
    [address.portVariable]: env.port({ default: address.defaultPort, description }),
  } as Record<A['portVariable'], EnvField<number>>;
}
