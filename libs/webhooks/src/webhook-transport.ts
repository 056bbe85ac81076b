import { promises as dns, LookupAddress } from 'dns';
import * as http from 'http';
import * as https from 'https';
import { isIP, LookupFunction } from 'net';
import { isForbiddenAddress } from './domain/address-policy';

/**
 * Resolves a host name to every address it has. The WEBHOOK_RESOLVER provider; tests replace it
 * to make a name resolve where they want.
 */
export type WebhookResolver = (hostname: string) => Promise<LookupAddress[]>;
export const WEBHOOK_RESOLVER = Symbol('WEBHOOK_RESOLVER');
export const systemResolver: WebhookResolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/** A delivery refused before any connection: the host resolves to an address that is not allowed. */
export class AddressRefusedError extends Error {
  readonly code = 'ADDRESS_NOT_ALLOWED';
}

export interface PostResult {
  status: number;
}

/**
 * The address a delivery to `url` connects to (docs/security.md, "Webhook SSRF"): the host's
 * addresses, resolved now, each checked unless private addresses are allowed; the first one is
 * the one the connection is pinned to, so a name cannot resolve to another address between the
 * check and the connection (DNS rebinding).
 */
export async function pinnedAddress(url: URL, resolve: WebhookResolver, allowPrivate: boolean): Promise<LookupAddress> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  const addresses = family ? [{ address: host, family }] : await resolve(host);
  if (!addresses.length) throw new AddressRefusedError(`${host} resolves to no address`);
  if (!allowPrivate) {
    const refused = addresses.find((a) => isForbiddenAddress(a.address));
    if (refused)
      throw new AddressRefusedError(`address not allowed: ${host} resolves to ${refused.address} (loopback, private or link-local)`);
  }
  return addresses[0];
}

/**
 * One POST to `url` over a connection to the checked address only: Node's `lookup` hook answers
 * the connection's name lookup with that address (TLS still verifies the certificate against the
 * host name). No redirects are followed, no connection is reused.
 */
export async function postPinned(
  url: URL,
  opts: {
    headers: Record<string, string>;
    body: string;
    timeoutMs: number;
    resolve: WebhookResolver;
    allowPrivate: boolean;
  },
): Promise<PostResult> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AddressRefusedError(`${url.protocol} URLs are not delivered`);
  const target = await pinnedAddress(url, opts.resolve, opts.allowPrivate);
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, [target]);
    else callback(null, target.address, target.family);
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve, reject) => {
    const timer = setTimeout(
      () => req.destroy(Object.assign(new Error(`timeout after ${opts.timeoutMs} ms`), { name: 'TimeoutError' })),
      opts.timeoutMs,
    );
    const fail = (e: Error) => {
      clearTimeout(timer);
      reject(e);
    };
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { ...opts.headers, 'Content-Length': Buffer.byteLength(opts.body) },
        lookup,
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0 });
        });
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end(opts.body);
  });
}
