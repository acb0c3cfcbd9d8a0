// Calendar days and months in Europe/Paris, where Qonto's daily and monthly counters roll over.

const PARIS = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short' });
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export interface ParisDate {
  /** 'YYYY-MM-DD' */
  day: string;
  /** 'YYYY-MM' */
  month: string;
  /** 1 = Monday … 7 = Sunday, as `active_days`. */
  weekday: number;
  year: number;
  monthNumber: number;
}

export function parisDate(at: Date): ParisDate {
  const parts = Object.fromEntries(PARIS.formatToParts(at).map((p) => [p.type, p.value]));
  const day = `${parts.year}-${parts.month}-${parts.day}`;
  return {
    day,
    month: day.slice(0, 7),
    weekday: WEEKDAYS[parts.weekday!]!,
    year: Number(parts.year),
    monthNumber: Number(parts.month),
  };
}
