/**
 * The `ip-providers` input: HTTPS URLs of services that echo the caller's
 * public IP. Plain http is refused: whoever can alter the answer decides which
 * address gets access to the VM.
 */
import { parseHttpsUrl } from '../cloud';
import { InputError, type InputIssue } from '../errors';
import { DEFAULT_IP_PROVIDERS } from './table';
import { splitList } from './collect';

export function parseIpProviders(input: string, raw: string): readonly string[] {
  const items = splitList(raw);
  if (items.length === 0) return [...DEFAULT_IP_PROVIDERS];
  const issues: InputIssue[] = [];
  const urls: string[] = [];
  for (const item of items) {
    try {
      const url = parseHttpsUrl(
        input,
        item,
        'each IP provider',
        'an answer read or altered on the way decides which address may reach the VM',
      );
      if (!urls.includes(url)) urls.push(url);
    } catch (e) {
      if (e instanceof InputError) issues.push(...e.issues);
      else throw e;
    }
  }
  if (issues.length > 0) throw new InputError(issues);
  return urls;
}
