const ISO_LIKE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i;
const MS_DATE = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/;

/**
 * Epoch milliseconds of a last-modified value, or null. Accepts ISO 8601 / RFC 3339 (no zone = UTC,
 * which is how ServiceNow's `2024-03-01 10:00:00` reads), OData v2's `/Date(1709251200000+0000)/`
 * (SuccessFactors; the number is already UTC) and epoch numbers (below 1e11 read as seconds).
 */
export function parseInstant(value: unknown): number | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    return Math.abs(value) < 1e11 ? value * 1000 : value;
  }
  if (typeof value !== 'string') return null;
  const text = value.trim();
  const ms = MS_DATE.exec(text);
  if (ms) return Number(ms[1]);
  const iso = ISO_LIKE.exec(text);
  if (!iso) return null;
  const [, date, time, zone] = iso;
  if (date === undefined || !realDate(date)) return null;
  const offset = zone === undefined ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const parsed = Date.parse(`${date}T${time ?? '00:00:00'}${offset}`.replace(',', '.'));
  return Number.isNaN(parsed) ? null : parsed;
}

/** V8 rolls 2024-02-30 over to March 1; a last-modified value like that is garbage, not a date. */
function realDate(date: string): boolean {
  const [y, m, d] = date.split('-').map(Number);
  const probe = new Date(Date.UTC(y ?? 0, (m ?? 0) - 1, d ?? 0));
  return probe.getUTCMonth() === (m ?? 0) - 1 && probe.getUTCDate() === d;
}

/**
 * Chooses the next watermark: the latest last-modified value seen that is not after `capMs` (run start
 * minus skew), never earlier than the previous watermark. Values are compared as instants but the
 * winner is returned exactly as the source wrote it, so it can be sent back in the source's own format.
 */
export class WatermarkTracker {
  private bestMs: number;
  private bestText: string | null;
  /** Changes stamped after the cap are re-read next run; how many were held back, for the caller's logs. */
  heldBack = 0;

  constructor(
    previous: string | null,
    previousMs: number | null,
    private readonly capMs: number,
  ) {
    this.bestText = previous;
    this.bestMs = previousMs ?? Number.NEGATIVE_INFINITY;
  }

  observe(raw: unknown): void {
    const ms = parseInstant(raw);
    if (ms === null) return;
    if (ms > this.capMs) {
      this.heldBack += 1;
      return;
    }
    if (ms > this.bestMs) {
      this.bestMs = ms;
      this.bestText = typeof raw === 'string' ? raw : String(raw);
    }
  }

  result(): string | null {
    return this.bestText;
  }
}
