import { connect, type Socket } from 'node:net';
import { createTransport } from 'nodemailer';
import { isDestinationNotAllowed, type DestinationCheck } from '@cronium/egress';
import type { EmailCredential } from './tool-credentials.ts';
import type { EmailParams } from './tool-params.ts';
import { renderField } from './render-field.ts';
import type { SendEnvironment, ToolSender } from './tool-sender.ts';
import { failed, redact, succeeded, type ToolResult } from './tool-result.ts';

/** What nodemailer puts on its errors. */
interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

/** TLS errors that another try will not fix: the certificate is not one we trust. */
const CERTIFICATE_ERRORS =
  /certificate|CERT_|SELF[_-]SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME/i;

/**
 * Opens the SMTP connection itself, to the address the egress check returned for the host,
 * so the policy judges the address actually connected to (nodemailer does no lookup of its
 * own when handed a socket). TLS, implicit or STARTTLS, is then done by nodemailer on this
 * socket and verifies the certificate against the credential's host name.
 */
function checkedSocket(
  check: DestinationCheck,
  host: string,
  port: number,
  timeoutMs: number,
): Promise<Socket> {
  return check(host, port).then(
    ({ address }) =>
      new Promise<Socket>((resolve, reject) => {
        const socket = connect({ host: address, port });
        const timer = setTimeout(() => {
          socket.destroy();
          reject(
            Object.assign(new Error(`connecting timed out after ${timeoutMs} ms`), {
              code: 'ETIMEDOUT',
            }),
          );
        }, timeoutMs);
        socket.once('connect', () => {
          clearTimeout(timer);
          resolve(socket);
        });
        socket.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      }),
  );
}

async function renderRecipients(pointer: string, list: string[] | undefined, env: SendEnvironment) {
  const out: string[] = [];
  for (const [index, source] of (list ?? []).entries()) {
    const address = (await renderField(`${pointer}/${index}`, source, env.context)).trim();
    if (address.length > 0) out.push(address);
  }
  return out;
}

/** A rendered address: one line, something@something. Nodemailer parses the rest. */
const ADDRESS = /^[^\r\n]*[^\s@<>]+@[^\s@<>]+[^\r\n]*$/;

/**
 * Email over SMTP with nodemailer. TLS modes: `none` never upgrades (ignoreTLS), `starttls`
 * must upgrade (requireTLS; a server without STARTTLS is an error, never a plaintext
 * fallback), `implicit` speaks TLS from the first byte (secure, usually port 465).
 */
export const emailSender: ToolSender<'email'> = {
  kind: 'email',
  async send(credential: EmailCredential, params: EmailParams, env: SendEnvironment) {
    const to = await renderRecipients('/to', params.to, env);
    const cc = await renderRecipients('/cc', params.cc, env);
    const bcc = await renderRecipients('/bcc', params.bcc, env);
    const subject = (await renderField('/subject', params.subject, env.context)).replace(
      /[\r\n]+/g,
      ' ',
    );
    const text =
      params.text === undefined ? undefined : await renderField('/text', params.text, env.context);
    const html =
      params.html === undefined
        ? undefined
        : await renderField('/html', params.html, env.context, { escape: 'html' });
    if (to.length === 0) return failed('no recipient: every "to" template rendered empty', false);
    const bad = [...to, ...cc, ...bcc].find((address) => !ADDRESS.test(address));
    if (bad !== undefined)
      return failed(`not an email address: ${JSON.stringify(bad.slice(0, 200))}`, false);

    const { host, port, tls } = credential;
    const transport = createTransport({
      host,
      port,
      secure: tls === 'implicit',
      requireTLS: tls === 'starttls',
      ignoreTLS: tls === 'none',
      ...(credential.username
        ? { auth: { user: credential.username, pass: credential.password ?? '' } }
        : {}),
      connectionTimeout: env.timeoutMs,
      greetingTimeout: env.timeoutMs,
      socketTimeout: env.timeoutMs,
      tls: {
        minVersion: 'TLSv1.2',
        ...(env.trustedCa === undefined ? {} : { ca: env.trustedCa }),
      },
      // Message content never names files or URLs for nodemailer to read.
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
      getSocket: (_options, callback) => {
        checkedSocket(env.egress, host, port, env.timeoutMs).then(
          (connection) => callback(null, { connection }),
          (error: Error) => callback(error, undefined),
        );
      },
    });
    const deadline = AbortSignal.timeout(env.timeoutMs * 3);
    try {
      const info = await transport.sendMail({
        from: credential.from,
        to,
        ...(cc.length ? { cc } : {}),
        ...(bcc.length ? { bcc } : {}),
        subject,
        ...(text === undefined ? {} : { text }),
        ...(html === undefined ? {} : { html }),
        signal: AbortSignal.any([env.signal, deadline]),
      });
      const accepted = info.accepted.length;
      // Some recipients refused, others not: the message went out, and sending it again
      // would repeat it to those who have it; the refusals are reported in the detail.
      const rejected = info.rejected.map(String);
      return succeeded(
        `${host} accepted the message for ${accepted} recipient${accepted === 1 ? '' : 's'}: ${String(info.response).slice(0, 200)}` +
          (rejected.length ? `; refused: ${rejected.join(', ').slice(0, 300)}` : ''),
      );
    } catch (error) {
      return smtpFailure(error as SmtpError, credential, env, deadline);
    } finally {
      transport.close();
    }
  },
};

function smtpFailure(
  error: SmtpError,
  credential: EmailCredential,
  env: SendEnvironment,
  deadline: AbortSignal,
): ToolResult {
  const hide = (text: string) =>
    redact(text, [credential.password, credential.username]).slice(0, 500);
  if (isDestinationNotAllowed(error)) return failed(error.message, false);
  const reply = error.response ? hide(error.response) : hide(error.message);
  const temporary =
    error.responseCode !== undefined && error.responseCode >= 400 && error.responseCode < 500;
  // Only the verb: an AUTH command line carries the credentials.
  const verb = error.command?.split(' ')[0]?.replace(/[^A-Z]/gi, '');
  const to = verb ? ` (to ${verb})` : '';
  if (error.responseCode === 535 || (error.code === 'EAUTH' && !temporary))
    return failed(`SMTP authentication failed: ${reply}`, false, statusOf(error));
  if (error.code === 'ENOAUTH')
    return failed('SMTP authentication failed: the credential has no password', false);
  if (temporary)
    return failed(`SMTP server answered ${reply}${to} (temporary)`, true, statusOf(error));
  if (error.responseCode !== undefined && error.responseCode >= 500)
    return failed(`SMTP server refused the message: ${reply}${to}`, false, statusOf(error));
  if (deadline.aborted) return failed(`SMTP: timed out after ${env.timeoutMs * 3} ms`, true);
  if (env.signal.aborted) return failed(`SMTP: aborted (${String(env.signal.reason)})`, true);
  const detail = hide(`${error.code ? `${error.code} ` : ''}${error.message}`);
  if (CERTIFICATE_ERRORS.test(`${error.code ?? ''} ${error.message}`))
    return failed(`SMTP TLS failed, the server's certificate is not trusted: ${detail}`, false);
  return failed(`SMTP connection failed: ${detail}`, true);
}

const statusOf = (error: SmtpError) =>
  error.responseCode === undefined ? {} : { status: error.responseCode };
