/** Where one process listens: the variables that set its address, and its default port. */
export interface ServiceAddress {
  readonly hostVariable: string;
  readonly portVariable: string;
  readonly defaultPort: number;
}

export const DEFAULT_HOST: '127.0.0.1';

// The variable names are literal types, so that a schema built from an address
// (service-address-env.ts) has them as its keys. The ports are in the .js file only.
export const SERVICE_ADDRESSES: {
  readonly web: ServiceAddress & { hostVariable: 'WEB_HOST'; portVariable: 'WEB_PORT' };
  readonly orchestrator: ServiceAddress & {
    hostVariable: 'ORCHESTRATOR_HOST';
    portVariable: 'ORCHESTRATOR_PORT';
  };
  readonly runtimeApi: ServiceAddress & {
    hostVariable: 'RUNTIME_API_HOST';
    portVariable: 'RUNTIME_API_PORT';
  };
  readonly ws: ServiceAddress & { hostVariable: 'WS_HOST'; portVariable: 'WS_PORT' };
};

export function localServiceUrl(
  address: ServiceAddress,
  env: Record<string, string | undefined>,
): string;

export function readyUrls(env: Record<string, string | undefined>): string[];
