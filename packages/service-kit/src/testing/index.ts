export {
  freePort,
  nodeTypeScriptArgs,
  spawnService,
  waitForStatus,
  type ServiceProcess,
} from './service-process-harness.ts';
export { describeServiceProcess } from './describe-service-process.ts';
