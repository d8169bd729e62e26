export {
  startPrivateSshd,
  privateSshdAvailable,
  TEST_SSH_USER,
  type PrivateSshd,
} from './private-sshd.ts';
