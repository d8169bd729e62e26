import { join } from 'node:path';
import { describeServiceProcess } from '@cronium/service-kit/testing';

describeServiceProcess({
  service: 'ws',
  entry: join(__dirname, 'main.ts'),
  portVariable: 'WS_PORT',
  hostVariable: 'WS_HOST',
});
