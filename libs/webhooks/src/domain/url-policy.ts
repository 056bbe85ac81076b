import { isIP } from 'net';

/**
 * Whether a webhook URL points at this host or a private network (loopback, RFC 1918, link-local
 * including cloud metadata, unique-local IPv6, "localhost"). Production refuses those unless
 * WEBHOOK_ALLOW_PRIVATE_URLS is set, so a reseller cannot make the API call into its own network.
 * Only literal hosts are checked here; names resolving to private addresses are not.
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
  const kind = isIP(host);
  if (kind === 4) {
    const [a, b] = host.split('.').map(Number);
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (kind === 6) {
    if (host === '::1' || host === '::') return true;
    if (/^f[cd]/.test(host) || /^fe[89ab]/.test(host)) return true;
    const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
    if (dotted) return isPrivateHost(`http://${dotted[1]}/`);
    const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host); // URL writes ::ffff:127.0.0.1 as ::ffff:7f00:1
    if (hex) {
      const [hi, lo] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
      return isPrivateHost(`http://${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}/`);
    }
    return false;
  }
  return false;
}
