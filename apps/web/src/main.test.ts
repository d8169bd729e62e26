import { join } from 'node:path';
import { describeServiceProcess } from '@cronium/service-kit/testing';

describeServiceProcess({
  service: 'web',
  entry: join(__dirname, 'main.ts'),
  portVariable: 'WEB_PORT',
  hostVariable: 'WEB_HOST',
});
