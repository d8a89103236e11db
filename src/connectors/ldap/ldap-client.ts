import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client } from 'ldapts';
import { resultCodeOf } from './errors.ts';

/**
 * One bound LDAP connection that heals itself. ldapts reconnects a dropped socket on its own but
 * *anonymously*; this wrapper notices the drop first and binds again (StartTLS included), so a directory
 * restart costs at most the call in flight, never a run of anonymous operations.
 */

export interface ConnectionSettings {
  url: string;
  bindDn: string;
  bindPassword: string;
  tls: { rejectUnauthorized: boolean; ca?: string | undefined };
  startTls: boolean;
  timeoutMs: number;
}

/** True when the error is the socket's, not an LDAP result: the connection is gone or never came. */
export function isConnectionError(error: unknown): boolean {
  return resultCodeOf(error) === undefined;
}

export class LdapConnection {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private closed = false;

  constructor(private readonly settings: ConnectionSettings) {}

  /** Encrypted end to end: ldaps:// or StartTLS. AD refuses password writes otherwise. */
  get secure(): boolean {
    return this.settings.url.toLowerCase().startsWith('ldaps:') || this.settings.startTls;
  }

  private tlsOptions(): ConnectionOptions {
    const host = new URL(this.settings.url).hostname.replace(/^\[|\]$/g, '');
    const options: ConnectionOptions = { rejectUnauthorized: this.settings.tls.rejectUnauthorized, host };
    // SNI takes a host name only; an IP address there makes Node warn (the certificate is still checked).
    if (isIP(host) === 0) options.servername = host;
    if (this.settings.tls.ca) options.ca = [this.settings.tls.ca];
    return options;
  }

  private async open(): Promise<Client> {
    const ldaps = this.settings.url.toLowerCase().startsWith('ldaps:');
    const client = new Client({
      url: this.settings.url,
      timeout: this.settings.timeoutMs,
      connectTimeout: this.settings.timeoutMs,
      // ldapts turns any tlsOptions into TLS from the first byte, so plain ldap:// must pass none.
      ...(ldaps ? { tlsOptions: this.tlsOptions() } : {}),
    });
    try {
      if (this.settings.startTls) await client.startTLS(this.tlsOptions());
      await client.bind(this.settings.bindDn, this.settings.bindPassword);
      return client;
    } catch (error) {
      await client.unbind().catch(() => undefined);
      throw error;
    }
  }

  /** The bound client, opening (or reopening after a drop) as needed; concurrent callers share one open. */
  async get(): Promise<Client> {
    if (this.closed) throw new Error('Socket connection not established: the connector is closed');
    if (this.client?.isConnected) return this.client;
    this.client = undefined;
    this.connecting ??= this.open().then(
      (client) => {
        this.connecting = undefined;
        this.client = client;
        return client;
      },
      (error: unknown) => {
        this.connecting = undefined;
        throw error;
      },
    );
    return this.connecting;
  }

  /** Forgets the client (after a socket error), so the next call binds afresh. */
  drop(): void {
    const client = this.client;
    this.client = undefined;
    if (client) void client.unbind().catch(() => undefined);
  }

  /**
   * Runs `operation` on the bound client. A socket failure drops the connection; an idempotent
   * operation (a read, a replace) is then tried once more on a fresh one, which is what makes the first
   * call after a directory restart succeed. Non-idempotent writes are not replayed: the first attempt may
   * have landed.
   */
  async run<T>(operation: (client: Client) => Promise<T>, options: { idempotent: boolean }): Promise<T> {
    const client = await this.get();
    try {
      return await operation(client);
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      this.drop();
      if (!options.idempotent || this.closed) throw error;
      return operation(await this.get());
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    if (client) await client.unbind().catch(() => undefined);
  }
}
