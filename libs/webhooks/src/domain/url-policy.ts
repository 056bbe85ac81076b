import { isIP } from 'net';
import { isForbiddenAddress } from './address-policy';

/**
 * Whether a webhook URL points at this host or a private network (loopback, RFC 1918, link-local
 * including cloud metadata, unique-local IPv6, "localhost"). Refused unless
 * WEBHOOK_ALLOW_PRIVATE_URLS=true, so a reseller cannot make the API call into its own network.
 * Only literal hosts are checked here, at registration; every address a name resolves to is
 * checked again at delivery time (webhook-transport.ts).
 */
export function isPrivateHost(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return true;
  }
  host = host.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost') || host === '0.0.0.0') return true;
  return isIP(host) ? isForbiddenAddress(host) : false;
}
