// Schedules in words, in English or Korean (cronstrue), with the zone the cron runs in.
import cronstrue from 'cronstrue/i18n';
import type { DagSchedule } from './runs';

export type Locale = 'en' | 'ko';

const TEXT = {
  en: {
    either: 'when either the day of the month or the weekday matches',
    never: 'Never scheduled: runs only when triggered',
    once: 'Once, at the start date',
    continuous: 'Continuously: a new run as soon as the previous one ends',
    every: (delta: string) => `Every ${delta}`,
    units: [['day', 'days'], ['hour', 'hours'], ['minute', 'minutes'], ['second', 'seconds']] as const,
    zone: (zone: string) => `(${zone} time)`,
  },
  ko: {
    either: '일(日) 또는 요일 중 하나만 맞아도 실행',
    never: '예약 실행 없음: 수동으로 트리거할 때만 실행',
    once: '시작일에 한 번',
    continuous: '연속 실행: 이전 실행이 끝나면 바로 다음 실행',
    every: (delta: string) => `${delta}마다`,
    units: [['일', '일'], ['시간', '시간'], ['분', '분'], ['초', '초']] as const,
    zone: (zone: string) => `(${zone} 기준)`,
  },
} as const;

export function describeSchedule(schedule: DagSchedule, locale: Locale = 'en'): string {
  const text = TEXT[locale];
  switch (schedule.timetable.name) {
    case 'NullTimetable':
      return text.never;
    case 'OnceTimetable':
      return text.once;
    case 'ContinuousTimetable':
      return text.continuous;
  }
  const { cron } = schedule;
  if (!cron) {
    const value = schedule.scheduleValue;
    return value.kind === 'timedelta' ? text.every(duration(value.seconds, locale)) : text.every('?');
  }
  let words: string;
  try {
    words = cronstrue.toString(cron.secondsFirst, { locale, use24HourTimeFormat: true });
  } catch {
    words = cron.expression;
  }
  const either = cron.daysEither ? `, ${text.either}` : '';
  return `${words}${either} ${text.zone(schedule.zone)}`;
}

/** `6 hours`, `1 day 12 hours`, `6시간`: a positive duration in its largest whole units. */
function duration(totalSeconds: number, locale: Locale): string {
  const sizes = [86_400, 3_600, 60, 1];
  const parts: string[] = [];
  let rest = Math.round(totalSeconds);
  sizes.forEach((size, i) => {
    const amount = Math.floor(rest / size);
    rest -= amount * size;
    if (amount === 0) return;
    const [one, many] = TEXT[locale].units[i];
    parts.push(locale === 'ko' ? `${amount}${one}` : `${amount} ${amount === 1 ? one : many}`);
  });
  return parts.join(' ');
}
