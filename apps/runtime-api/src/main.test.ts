import { join } from 'node:path';
import { describeServiceProcess } from '@cronium/service-kit/testing';

describeServiceProcess({
  service: 'runtime-api',
  entry: join(__dirname, 'main.ts'),
  portVariable: 'RUNTIME_API_PORT',
  hostVariable: 'RUNTIME_API_HOST',
});
