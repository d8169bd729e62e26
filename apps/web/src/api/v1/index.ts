// Every operation of /api/v1, declared once: served by registerApi, described by OpenAPI.
import { isApiRoute, type ApiRoute } from '../api-route.ts';
import * as accounts from './accounts.ts';
import * as events from './events.ts';
import * as overview from './overview.ts';
import * as servers from './servers.ts';
import * as tools from './tools.ts';
import * as variables from './variables.ts';
import * as workflows from './workflows.ts';
import * as webhooks from './webhooks.ts';

export const apiRoutes: ApiRoute[] = [
  accounts,
  events,
  variables,
  servers,
  tools,
  workflows,
  webhooks,
  overview,
].flatMap((module) => Object.values(module).filter(isApiRoute));
