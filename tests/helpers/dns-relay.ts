// A slow DNS resolver for tests, on real DNS: a UDP server on 127.0.0.1 that
// passes every query to an upstream server (the tests' dnsmasq) and its answer
// back, except that a query for a name the test holds waits until the test
// releases it, as a resolver that takes its time would. asked(name) resolves
// once such a query has arrived, so a test knows exactly where the code under
// test is waiting.
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";

/** The question's name of a DNS query (RFC 1035 4.1.2), lower case, no trailing dot. */
function questionName(msg: Buffer): string {
  const labels: string[] = [];
  let i = 12;
  while (i < msg.length && msg[i] !== 0) {
    const len = msg[i];
    labels.push(msg.subarray(i + 1, i + 1 + len).toString("latin1"));
    i += 1 + len;
  }
  return labels.join(".").toLowerCase();
}

export class DnsRelay {
  private readonly held = new Map<string, { msg: Buffer; from: RemoteInfo }[]>();
  private readonly waiting = new Map<string, (() => void)[]>();
  private constructor(
    private readonly socket: Socket,
    private readonly upstream: { host: string; port: number },
  ) {
    socket.on("message", (msg, from) => {
      const name = questionName(msg);
      const queue = this.held.get(name);
      if (!queue) return this.forward(msg, from);
      queue.push({ msg, from });
      for (const w of this.waiting.get(name)?.splice(0) ?? []) w();
    });
  }

  static async start(upstream: string): Promise<DnsRelay> {
    const [host, port] = upstream.split(":");
    const socket = createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(0, "127.0.0.1", () => resolve());
    });
    return new DnsRelay(socket, { host, port: Number(port) });
  }

  /** host:port for a resolver. */
  get address(): string {
    return `127.0.0.1:${this.socket.address().port}`;
  }

  /** Queries for `name` wait from now on until release(name). */
  hold(name: string): void {
    this.held.set(name.toLowerCase(), []);
  }

  /** Resolves once a query for a held `name` has arrived (at once if one is waiting). */
  asked(name: string): Promise<void> {
    const key = name.toLowerCase();
    if ((this.held.get(key)?.length ?? 0) > 0) return Promise.resolve();
    return new Promise((resolve) => this.waiting.set(key, [...(this.waiting.get(key) ?? []), resolve]));
  }

  /** Stops holding `name` and passes on the queries that waited. */
  release(name: string): void {
    const key = name.toLowerCase();
    const queue = this.held.get(key) ?? [];
    this.held.delete(key);
    for (const q of queue) this.forward(q.msg, q.from);
  }

  private forward(msg: Buffer, from: RemoteInfo): void {
    const out = createSocket("udp4");
    const done = () => out.close();
    const timer = setTimeout(done, 5_000);
    out.on("error", () => {
      clearTimeout(timer);
      done();
    });
    out.on("message", (answer) => {
      clearTimeout(timer);
      this.socket.send(answer, from.port, from.address, () => done());
    });
    out.send(msg, this.upstream.port, this.upstream.host);
  }

  async stop(): Promise<void> {
    for (const name of [...this.held.keys()]) this.release(name);
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
