import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';

export interface RecordedRequest {
  /** When it had arrived whole (ms since the epoch). */
  at: number;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Answer = (request: RecordedRequest, response: ServerResponse) => void;

/**
 * A loopback HTTP server standing in for Slack, Discord, Teams or a webhook receiver: it
 * records every request and every TCP connection, and answers with the next queued answer
 * (or the default one).
 */
export class RecordingServer {
  readonly requests: RecordedRequest[] = [];
  connections = 0;
  #server: Server;
  #answers: Answer[] = [];
  #fallback: Answer;

  constructor(fallback: Answer) {
    this.#fallback = fallback;
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const recorded = {
          at: Date.now(),
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(recorded);
        (this.#answers.shift() ?? this.#fallback)(recorded, res);
      });
    });
    this.#server.on('connection', () => (this.connections += 1));
  }

  /** The next request gets this answer instead of the default. */
  answerNext(answer: Answer): void {
    this.#answers.push(answer);
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as { port: number }).port}`;
  }

  reset(): void {
    this.requests.length = 0;
    this.connections = 0;
    this.#answers = [];
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
