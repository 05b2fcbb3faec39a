import { Injectable } from '@nestjs/common';
import { lookup as dnsLookup, LookupAddress, LookupOptions } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';
import { isPublicAddress, hostOf } from 'src/webhooks/domain/webhook-destination';

const TIMEOUT_MS = 10_000;
const KEPT_RESPONSE_CHARS = 200;

export interface WebhookResponse {
  status: number;
  /** The start of the body, for the delivery's last error. */
  excerpt: string;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

export class DestinationRefused extends Error {}

/**
 * POSTs one webhook body. The address checked is the address connected to: the DNS answer is
 * checked inside the socket's own lookup, so a name cannot resolve to a public address for the
 * check and to a private one for the connection. Redirects are not followed.
 */
@Injectable()
export class WebhookTransport {
  async post(
    url: string,
    headers: Record<string, string>,
    body: string,
    allowPrivate: boolean,
  ): Promise<WebhookResponse> {
    const target = new URL(url);
    const host = hostOf(target);
    if (!allowPrivate && isIP(host) !== 0 && !isPublicAddress(host))
      throw new DestinationRefused(`${host} is not a public address`);
    const client = target.protocol === 'https:' ? https : http;
    return new Promise<WebhookResponse>((resolve, reject) => {
      const request = client.request(
        target,
        {
          method: 'POST',
          headers: {
            ...headers,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
          },
          signal: AbortSignal.timeout(TIMEOUT_MS),
          lookup: allowPrivate ? undefined : publicOnlyLookup,
        },
        (response) => {
          let excerpt = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            if (excerpt.length < KEPT_RESPONSE_CHARS)
              excerpt += chunk.slice(0, KEPT_RESPONSE_CHARS - excerpt.length);
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, excerpt }));
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }
}

function publicOnlyLookup(
  hostname: string,
  options: LookupOptions,
  callback: LookupCallback,
): void {
  dnsLookup(hostname, options, (error, address: string | LookupAddress[], family?: number) => {
    if (error) return callback(error, address, family);
    const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
    const refused = addresses.find((a) => !isPublicAddress(a));
    if (refused)
      return callback(
        new DestinationRefused(`${hostname} resolves to ${refused}, not a public address`),
        address,
        family,
      );
    callback(null, address, family);
  });
}
