import { join } from 'node:path';
import { describeServiceProcess } from '@cronium/service-kit/testing';

describeServiceProcess({
  service: 'orchestrator',
  entry: join(__dirname, 'main.ts'),
  portVariable: 'ORCHESTRATOR_PORT',
  hostVariable: 'ORCHESTRATOR_HOST',
});
