/** The per-instance registry of issued token ids, and its pruning of long-expired ids. */
import { IssuedTokens } from '../../../emulator/identity/issuedTokens';

it('remembers issued ids only', () => {
  const issued = new IssuedTokens();
  issued.add('a', Date.now() / 1000 + 3600);
  expect(issued.has('a')).toBe(true);
  expect(issued.has('b')).toBe(false);
});

it('prunes ids expired more than a day ago once it grows, keeping recent and recently expired ones', () => {
  const issued = new IssuedTokens();
  const now = Date.now() / 1000;
  for (let i = 0; i < 9_998; i += 1) issued.add(`old-${i}`, now - 2 * 86_400);
  issued.add('recently-expired', now - 60);
  issued.add('live', now + 3600);
  issued.add('trigger', now + 3600); // the 10 001st add prunes first
  expect(issued.has('old-0')).toBe(false);
  expect(issued.has('old-9997')).toBe(false);
  expect(issued.has('recently-expired')).toBe(true);
  expect(issued.has('live')).toBe(true);
  expect(issued.has('trigger')).toBe(true);
});
