/** The test's own notion of "same IPv4 source" (independent of the core's): `a.b.c.d` equals `a.b.c.d/32`. */
export function samePrefixForTest(a: string, b: string): boolean {
  const norm = (s: string): string => (s.endsWith('/32') ? s.slice(0, -3) : s);
  return norm(a) === norm(b);
}
