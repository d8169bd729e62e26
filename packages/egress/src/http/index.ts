export { guardedAgent } from './guarded-agent.ts';
export {
  fetchWithRedirects,
  RedirectRefused,
  type FetchRequest,
  type FetchOptions,
} from './fetch-with-redirects.ts';
