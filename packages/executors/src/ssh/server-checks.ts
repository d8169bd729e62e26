// What managing a server needs without the executors themselves (no Docker client, no pool):
// the host key scan, the connection test, and checks of fingerprints and keys. The web app
// imports only this.
export { scanHostKey, SshConnectError } from './ssh-connect.ts';
export { testSshConnection, type SshConnectionReport } from './test-ssh-connection.ts';
export { isHostKeyFingerprint } from './host-key.ts';
export { privateKeyProblem } from './private-key.ts';
export { describeServer, sshServerOf, type SshServer } from './ssh-server.ts';
