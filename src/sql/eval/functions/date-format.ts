import { daysFromCivil, daysInMonth, type DateTimeParts } from '../../../types/datetime.ts';

/** MySQL DATE_FORMAT / STR_TO_DATE specifiers. */

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const p2 = (n: number): string => String(n).padStart(2, '0');

function weekday0(p: DateTimeParts): number {
  return (((daysFromCivil(p.year, p.month, p.day) + 4) % 7) + 7) % 7; // 0 = Sunday
}

function ordinal(n: number): string {
  if (n % 100 >= 11 && n % 100 <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

/** MySQL WEEK() modes 0 (%U, Sunday first) and 1-like (%u, Monday first, week 1 has ≥ 4 days). */
function week(p: DateTimeParts, mondayFirst: boolean): number {
  const doy = daysFromCivil(p.year, p.month, p.day) - daysFromCivil(p.year, 1, 1);
  const jan1 = weekday0({ ...p, month: 1, day: 1 });
  if (!mondayFirst) return Math.floor((doy + jan1) / 7);
  const jan1Mon = (jan1 + 6) % 7; // 0 = Monday
  const firstWeekHasJan1 = jan1Mon <= 3;
  return Math.floor((doy + jan1Mon) / 7) + (firstWeekHasJan1 ? 1 : 0);
}

/** DATE_FORMAT(d, fmt). Unknown specifiers print the letter, like MySQL. */
export function formatDate(p: DateTimeParts, fmt: string): string {
  let out = '';
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i];
    if (c !== '%' || i + 1 >= fmt.length) {
      out += c;
      continue;
    }
    const s = fmt[++i] as string;
    const h12 = p.hour % 12 === 0 ? 12 : p.hour % 12;
    switch (s) {
      case 'Y': out += String(p.year).padStart(4, '0'); break;
      case 'y': out += p2(p.year % 100); break;
      case 'm': out += p2(p.month); break;
      case 'c': out += String(p.month); break;
      case 'M': out += MONTHS[p.month - 1]; break;
      case 'b': out += (MONTHS[p.month - 1] ?? '').slice(0, 3); break;
      case 'd': out += p2(p.day); break;
      case 'e': out += String(p.day); break;
      case 'D': out += ordinal(p.day); break;
      case 'H': out += p2(p.hour); break;
      case 'k': out += String(p.hour); break;
      case 'h': case 'I': out += p2(h12); break;
      case 'l': out += String(h12); break;
      case 'i': out += p2(p.minute); break;
      case 's': case 'S': out += p2(p.second); break;
      case 'f': out += String(p.micro).padStart(6, '0'); break;
      case 'p': out += p.hour < 12 ? 'AM' : 'PM'; break;
      case 'T': out += `${p2(p.hour)}:${p2(p.minute)}:${p2(p.second)}`; break;
      case 'r': out += `${p2(h12)}:${p2(p.minute)}:${p2(p.second)} ${p.hour < 12 ? 'AM' : 'PM'}`; break;
      case 'W': out += DAYS[weekday0(p)]; break;
      case 'a': out += (DAYS[weekday0(p)] ?? '').slice(0, 3); break;
      case 'w': out += String(weekday0(p)); break;
      case 'j': out += String(daysFromCivil(p.year, p.month, p.day) - daysFromCivil(p.year, 1, 1) + 1).padStart(3, '0'); break;
      case 'U': out += p2(week(p, false)); break;
      case 'u': out += p2(week(p, true)); break;
      default: out += s;
    }
  }
  return out;
}

/** STR_TO_DATE(s, fmt): null when the text does not match or is not a real date. */
export function parseWithFormat(s: string, fmt: string): DateTimeParts | null {
  let year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, micro = 0;
  let pm: boolean | undefined;
  let pos = 0;
  const num = (maxLen: number): number | null => {
    const m = new RegExp(`^\\d{1,${maxLen}}`).exec(s.slice(pos));
    if (!m) return null;
    pos += m[0].length;
    return Number(m[0]);
  };
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i];
    if (c !== '%') {
      if (c === ' ') {
        while (s[pos] === ' ') pos++;
        continue;
      }
      if (s[pos] !== c) return null;
      pos++;
      continue;
    }
    const spec = fmt[++i];
    let v: number | null = 0;
    switch (spec) {
      case 'Y': v = year = num(4) ?? -1; break;
      case 'y': v = num(2); year = v === null ? -1 : v < 70 ? 2000 + v : 1900 + v; break;
      case 'm': case 'c': v = month = num(2) ?? -1; break;
      case 'd': case 'e': v = day = num(2) ?? -1; break;
      case 'H': case 'k': case 'h': case 'I': case 'l': v = hour = num(2) ?? -1; break;
      case 'i': v = minute = num(2) ?? -1; break;
      case 's': case 'S': v = second = num(2) ?? -1; break;
      case 'f': {
        const m = /^\d{1,6}/.exec(s.slice(pos));
        if (!m) return null;
        pos += m[0].length;
        micro = Number(m[0].padEnd(6, '0'));
        break;
      }
      case 'p': {
        const t = s.slice(pos, pos + 2).toUpperCase();
        if (t !== 'AM' && t !== 'PM') return null;
        pm = t === 'PM';
        pos += 2;
        break;
      }
      case 'M': case 'b': {
        const idx = MONTHS.findIndex((m) => s.slice(pos).toLowerCase().startsWith(spec === 'M' ? m.toLowerCase() : m.slice(0, 3).toLowerCase()));
        if (idx < 0) return null;
        month = idx + 1;
        pos += spec === 'M' ? (MONTHS[idx] ?? '').length : 3;
        break;
      }
      case '%':
        if (s[pos] !== '%') return null;
        pos++;
        break;
      default:
        return null;
    }
    if (v === null || v < 0) return null;
  }
  if (pm !== undefined && hour <= 12) hour = (hour % 12) + (pm ? 12 : 0);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  return { year, month, day, hour, minute, second, micro };
}
