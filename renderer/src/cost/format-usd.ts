/** Dollars with cents; amounts under a cent keep enough digits to be told apart (a short sandbox run). */
export function formatUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined) return '—';
  if (usd === 0) return '$0.00';
  if (Math.abs(usd) < 0.01) return `$${usd.toPrecision(2)}`;
  return usd.toLocaleString('en-US', { style: 'currency', currency: 'USD' });
}

/** "2026-12" for the month `offset` months before the one `now` is in (UTC). */
export function monthOf(now: number, offset = 0): string {
  const d = new Date(now);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - offset, 1)).toISOString().slice(0, 7);
}

export function monthLabel(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleDateString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}
